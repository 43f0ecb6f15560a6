/**
 * The recorder's logic without a browser: what the phase and a take read as, the take list kept in
 * step with `takes.changed`, the meters (latest reading, clip latches, peak hold), the roll a cue
 * will get, and the recording settings form (a draft of text fields and the patch it saves).
 */
import type { ApiError, AudioStatus, Meters, RecorderState, RecordingSettings, Take } from '../../api/contract.js';
import type { BeepSettings, RollRange } from '../../core/cueing/beeps.js';
import { planRoll, type CueRollOverride } from '../../core/recording/roll-plan.js';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import { channelName, resolveRecordingSettings, type RecordingSettingsPatch } from '../../core/recording/settings.js';
import { applyMarkChange, type TakeMarkChange, type TakeMarkState } from '../../core/recording/take-marks.js';
import type { FrameRate } from '../../core/time/index.js';

export type RollPhase = RecorderState['phase'];
export type SampleEncoding = RecordingSettings['encoding'];
export type MonitorPhase = keyof RecordingSettings['monitor'];
export type MonitorSource = keyof RecordingSettings['monitor']['record'];

export const IDLE_RECORDER: RecorderState = { phase: 'idle', cueId: null, passId: null, take: null, flushedFrames: 0, range: null, loop: false, compare: null };

export const ENCODING_LABELS: Readonly<Record<SampleEncoding, string>> = {
  pcm16: '16-bit',
  pcm24: '24-bit',
  float32: '32-bit float',
};
export const ENCODINGS: readonly SampleEncoding[] = ['pcm16', 'pcm24', 'float32'];
export const MONITOR_PHASES: readonly MonitorPhase[] = ['rehearse', 'record', 'playback'];
export const MONITOR_SOURCES: readonly MonitorSource[] = ['guide', 'beeps', 'input'];
export const MONITOR_PHASE_LABELS: Readonly<Record<MonitorPhase, string>> = { rehearse: 'Rehearse', record: 'Record', playback: 'Playback' };
export const MONITOR_SOURCE_LABELS: Readonly<Record<MonitorSource, string>> = { guide: 'Guide', beeps: 'Beeps', input: 'Input' };

export const TAKE_STATUS_LABELS: Readonly<Record<Take['status'], string>> = {
  recording: 'Recording',
  complete: 'Complete',
  recovered: 'Recovered',
  aborted: 'Aborted',
};

/**
 * What the recorder is doing, in words: "Idle", "Rehearsing", "Recording take 3", "Playing back take 2".
 * `playingTake` is the number of the take asked to play (the engine's state does not carry it).
 */
export function phaseText(state: RecorderState, playingTake: number | null = null, numberOf: (takeId: number) => number | null = () => null): string {
  const loop = state.loop ? ' (loop)' : '';
  switch (state.phase) {
    case 'idle':
      return 'Idle';
    case 'rehearse':
      return `Rehearsing${loop}`;
    case 'record':
      return state.take ? `Recording take ${state.take.number}` : 'Recording';
    case 'playback': {
      const compare = state.compare;
      if (compare) {
        const named = (which: 'a' | 'b') => {
          const n = numberOf(compare[which]);
          return n === null ? which.toUpperCase() : `${which.toUpperCase()} (take ${n})`;
        };
        return `Comparing${loop}: hearing ${named(compare.listen)}, not ${named(compare.listen === 'a' ? 'b' : 'a')}`;
      }
      return (playingTake === null ? 'Playing back' : `Playing back take ${playingTake}`) + loop;
    }
  }
}

/** A take's status with its problem, if any: "Recovered: Recording was interrupted…". */
export function takeStatusText(take: Pick<Take, 'status' | 'problem'>): string {
  const label = TAKE_STATUS_LABELS[take.status];
  return take.problem ? `${label}: ${take.problem}` : label;
}

/** Seconds with millisecond precision: "5.000". */
export function secondsText(frames: number, sampleRate: number): string {
  if (!(sampleRate > 0)) return '—';
  return (frames / sampleRate).toFixed(3);
}

/** The file name of a take's project-relative path ("takes/A1_T01.wav" → "A1_T01.wav"). */
export function fileNameOf(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** The take list with `take` added or replaced (by id), in take number order. */
export function upsertTake(list: readonly Take[], take: Take): Take[] {
  const index = list.findIndex((t) => t.id === take.id);
  if (index < 0) return [...list, take].sort((a, b) => a.number - b.number || a.id - b.id);
  const existing = list[index]!;
  // A take only ever leaves `recording`; a late event saying it records must not undo its filing.
  if (existing.status !== 'recording' && take.status === 'recording') return [...list];
  const next = [...list];
  next[index] = take;
  return next;
}

/** Takes that can be played: filed with audio. */
export function playable(take: Pick<Take, 'status' | 'length'>): boolean {
  return take.status !== 'recording' && take.length > 0;
}

/**
 * The two takes an A/B compare plays: those picked as A and B when they can play, else A is the
 * circled take (or the one before the newest) and B the marked take (or the newest); null when
 * fewer than two takes can play.
 */
export function comparePair(
  takes: readonly Take[],
  picks: { readonly a: number | null; readonly b: number | null },
  marked: Take | null,
): { a: Take; b: Take } | null {
  const usable = takes.filter(playable);
  if (usable.length < 2) return null;
  const byId = (id: number | null) => usable.find((t) => t.id === id) ?? null;
  const others = usable.filter((t) => t.id !== picks.b); // A never takes the take picked as B
  const a = byId(picks.a) ?? others.find((t) => t.circled) ?? others[others.length - 2] ?? others[others.length - 1]!;
  const candidates = [byId(picks.b), marked && playable(marked) ? marked : null, usable[usable.length - 1]!, usable[usable.length - 2]!];
  const b = candidates.find((t): t is Take => t !== null && t.id !== a.id)!;
  return { a, b };
}

/** The last take that can be played (highest number), or null. */
export function lastPlayableTake(takes: readonly Take[]): Take | null {
  for (let i = takes.length - 1; i >= 0; i--) {
    const take = takes[i]!;
    if (playable(take)) return take;
  }
  return null;
}

// ---- Calibration -------------------------------------------------------------------------------

export interface CalibrationNotice {
  /** What is wrong with the latency now, and what to do. */
  readonly text: string;
  /** Whether calibrating can help (a real interface is running). */
  readonly canCalibrate: boolean;
}

/** Null when the measured round trip holds for the open stream; otherwise what to tell the mixer. */
export function calibrationNotice(audio: AudioStatus | null): CalibrationNotice | null {
  if (!audio || audio.state !== 'running') {
    return { text: 'No audio interface is running: choose one under Audio devices, then calibrate.', canCalibrate: false };
  }
  if (audio.clockSource !== 'audio-device') {
    return { text: 'The software clock stands in for an interface, so nothing can be recorded: choose your interface under Audio devices, then calibrate.', canCalibrate: false };
  }
  const latency = audio.latency;
  if (!latency) {
    return { text: 'Not calibrated: recording is held, because takes would be placed without latency compensation. Patch the output to the input and calibrate.', canCalibrate: true };
  }
  if (!latency.current) {
    return { text: `Calibration not current (${latency.note ?? 'the stream was reopened'}): recording is held, because takes may be placed a few samples off. Calibrate again.`, canCalibrate: true };
  }
  return null;
}

// ---- Rolls -------------------------------------------------------------------------------------

/** Per-cue roll overrides as the engine keeps them (ms, null = the project's). */
export type CueRollMs = CueRollOverride;

/** The range a cue rolls over, planned as the engine plans it (core planRoll); null when it cannot be worked out. */
export function plannedRoll(
  cue: { readonly in: number; readonly out: number },
  settings: Pick<RecordingSettings, 'preRollSeconds' | 'postRollSeconds' | 'beeps'>,
  roll: CueRollMs | null,
  rate: FrameRate | null,
  sampleRate: number | null,
): RollRange | null {
  if (!rate || !sampleRate) return null;
  try {
    return planRoll(cue, settings, roll, rate, sampleRate).range;
  } catch {
    return null;
  }
}

/** Seconds as a form shows them: "3", "2.5", "" for null. */
export function msToSecondsText(ms: number | null): string {
  return ms === null ? '' : String(ms / 1000);
}

/**
 * A roll override typed in seconds: empty means the project's roll (null); otherwise whole
 * milliseconds from 0 to 60 s.
 */
export function readRollSeconds(text: string, what: string): { ok: true; ms: number | null } | { ok: false; error: ApiError } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, ms: null };
  const value = Number(trimmed.replace(',', '.'));
  if (!Number.isFinite(value) || value < 0 || value > 60) {
    return { ok: false, error: { code: 'ROLL_INVALID', message: `${what} of "${trimmed}" is not usable; give 0 to 60 seconds, or leave it empty for the project's roll.` } };
  }
  return { ok: true, ms: Math.round(value * 1000) };
}

// ---- Meters ------------------------------------------------------------------------------------

export const METER_MIN_DB = -60;
export const METER_MAX_DB = 0;
/** How long the peak line holds before it falls, and how fast it falls. */
export const PEAK_HOLD_MS = 1000;
export const PEAK_FALL_DB_PER_SECOND = 20;

/** Where `db` sits on a meter from `min` to `max` dB: 0 at or below min, 1 at or above max. */
export function meterFraction(db: number, min = METER_MIN_DB, max = METER_MAX_DB): number {
  if (!Number.isFinite(db) || db <= min) return 0;
  if (db >= max) return 1;
  return (db - min) / (max - min);
}

export interface PeakHold {
  readonly db: number;
  /** When the held value was set (ms, any monotonic clock). */
  readonly at: number;
}

/** The peak line after a reading of `db` at `now`: a new high resets it; otherwise it holds, then falls. */
export function holdPeak(previous: PeakHold | null, db: number, now: number): PeakHold {
  if (!previous || db >= previous.db) return { db, at: now };
  const since = now - previous.at;
  if (since <= PEAK_HOLD_MS) return previous;
  const fallen = previous.db - ((since - PEAK_HOLD_MS) / 1000) * PEAK_FALL_DB_PER_SECOND;
  return fallen > db ? { db: fallen, at: previous.at } : { db, at: now };
}

export interface MeterChannel {
  /** Input channel of the device, 0-based. */
  readonly channel: number;
  readonly name: string;
  readonly peakDb: number;
  readonly rmsDb: number;
  /** Latched: a clip was seen since the indicator was last cleared. */
  readonly clip: boolean;
}

/**
 * The meters' data, outside any reactivity: the latest `meters` event and a clip latch per input
 * channel. The event comes at about 30 Hz; the display reads `latest` once per animation frame, so
 * every reading counts for the clip latches even if two arrive within one frame.
 */
export class MeterBoard {
  #latest: Meters | null = null;
  readonly #clips = new Set<number>();
  /** Bumped on every reading and every clear: whether there is anything new to draw. */
  version = 0;

  get latest(): Meters | null {
    return this.#latest;
  }

  receive(reading: Meters): void {
    this.#latest = reading;
    reading.clipped.forEach((clipped, i) => {
      if (clipped) this.#clips.add(reading.channels[i] ?? i);
    });
    this.version++;
  }

  clipped(channel: number): boolean {
    return this.#clips.has(channel);
  }

  /** Clears the clip latch of one input channel (or all). */
  clear(channel?: number): void {
    if (channel === undefined) this.#clips.clear();
    else this.#clips.delete(channel);
    this.version++;
  }

  /** Forgets the readings (another project, a lost connection). */
  reset(): void {
    this.#latest = null;
    this.#clips.clear();
    this.version++;
  }

  /** The meters of the recorded channels, in file channel order; a channel not metered reads the floor. */
  channels(settings: Pick<RecordingSettings, 'inputChannels' | 'channelNames'>): MeterChannel[] {
    const reading = this.#latest;
    return settings.inputChannels.map((channel) => {
      const index = reading ? reading.channels.indexOf(channel) : -1;
      return {
        channel,
        name: channelName(settings, channel),
        peakDb: index >= 0 ? reading!.peakDb[index]! : -Infinity,
        rmsDb: index >= 0 ? reading!.rmsDb[index]! : -Infinity,
        clip: this.#clips.has(channel),
      };
    });
  }
}

/** A dB value for people: "−23.4 dBFS", "−∞ dBFS" below the floor. */
export function dbText(db: number): string {
  if (!Number.isFinite(db) || db <= -120) return '−∞ dBFS';
  return `${db.toFixed(1).replace('-', '−')} dBFS`;
}

// ---- Settings form -----------------------------------------------------------------------------

/** The recording settings as the form edits them: numbers as typed text. */
export interface RecordingDraft {
  preRoll: string;
  postRoll: string;
  encoding: SampleEncoding;
  inputChannels: number[];
  channelNames: string[];
  monitor: { [P in MonitorPhase]: { [S in MonitorSource]: boolean } };
  beepCount: string;
  beepFrequency: string;
  beepLevel: string;
  beepFrames: string;
  beepSpacing: string;
  beepOnIn: boolean;
  /** The loopback input, 0-based, or null for the first recorded input. */
  loopbackInput: number | null;
  manualOffset: string;
  takeTemplate: string;
}

export function draftOfSettings(s: RecordingSettings): RecordingDraft {
  return {
    preRoll: String(s.preRollSeconds),
    postRoll: String(s.postRollSeconds),
    encoding: s.encoding,
    inputChannels: [...s.inputChannels],
    channelNames: [...s.channelNames],
    monitor: {
      rehearse: { ...s.monitor.rehearse },
      record: { ...s.monitor.record },
      playback: { ...s.monitor.playback },
    },
    beepCount: String(s.beeps.count),
    beepFrequency: String(s.beeps.frequencyHz),
    beepLevel: String(s.beeps.levelDb),
    beepFrames: String(s.beeps.lengthFrames),
    beepSpacing: String(s.beeps.spacingSeconds),
    beepOnIn: s.beeps.beepOnIn,
    loopbackInput: s.loopbackInput,
    manualOffset: String(s.manualOffset),
    takeTemplate: s.takeTemplate,
  };
}

/** The channels recorded after ticking (or unticking) `channel`: order kept, a new one added in place. */
export function toggleChannel(list: readonly number[], channel: number, on: boolean): number[] {
  if (!on) return list.filter((c) => c !== channel);
  if (list.includes(channel)) return [...list];
  // Kept in the existing (file channel) order; a new channel goes before the first higher one.
  const at = list.findIndex((c) => c > channel);
  return at < 0 ? [...list, channel] : [...list.slice(0, at), channel, ...list.slice(at)];
}

/** Channel names without trailing empty entries ("Input N" stands in for an empty name). */
function trimmedNames(names: readonly string[]): string[] {
  const out = names.map((n) => n.trim());
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}

function readNumber(text: string, what: string, unit: string, integer: boolean): number {
  const trimmed = text.trim().replace('−', '-').replace(',', '.');
  const value = trimmed === '' ? NaN : Number(trimmed);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new LoopstageError('RECORDING_SETTINGS_INVALID', `${what} "${text.trim()}" is not ${integer ? 'a whole number' : 'a number'}${unit ? ` of ${unit}` : ''}; type one.`);
  }
  return value;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

/**
 * What the draft changes, as a `recording.update` patch (only the fields that differ), checked
 * with the same rules as the engine. An empty patch means nothing changed.
 */
export function settingsPatchOf(draft: RecordingDraft, saved: RecordingSettings): { ok: true; patch: RecordingSettingsPatch } | { ok: false; error: ApiError } {
  let patch: {
    -readonly [K in keyof RecordingSettingsPatch]: RecordingSettingsPatch[K];
  };
  try {
    const preRollSeconds = readNumber(draft.preRoll, 'The pre-roll', 'seconds', false);
    const postRollSeconds = readNumber(draft.postRoll, 'The post-roll', 'seconds', false);
    const count = readNumber(draft.beepCount, 'The beep count', '', true);
    const frequencyHz = readNumber(draft.beepFrequency, 'The beep frequency', 'Hz', false);
    const levelDb = readNumber(draft.beepLevel, 'The beep level', 'dBFS', false);
    const lengthFrames = readNumber(draft.beepFrames, 'The beep length', 'frames', true);
    const spacingSeconds = readNumber(draft.beepSpacing, 'The beep spacing', 'timecode seconds', false);
    const manualOffset = readNumber(draft.manualOffset, 'The manual latency offset', 'samples', true);
    patch = {};
    if (preRollSeconds !== saved.preRollSeconds) patch.preRollSeconds = preRollSeconds;
    if (postRollSeconds !== saved.postRollSeconds) patch.postRollSeconds = postRollSeconds;
    if (draft.encoding !== saved.encoding) patch.encoding = draft.encoding;
    if (draft.inputChannels.length === 0) {
      throw new LoopstageError('RECORDING_SETTINGS_INVALID', 'Tick at least one input channel to record.');
    }
    if (!sameList(draft.inputChannels, saved.inputChannels)) patch.inputChannels = [...draft.inputChannels];
    const names = trimmedNames(draft.channelNames);
    if (!sameList(names, trimmedNames(saved.channelNames))) patch.channelNames = names;
    const monitor: NonNullable<RecordingSettingsPatch['monitor']> = {};
    for (const phase of MONITOR_PHASES) {
      const changed: { [S in MonitorSource]?: boolean } = {};
      for (const source of MONITOR_SOURCES) {
        if (draft.monitor[phase][source] !== saved.monitor[phase][source]) changed[source] = draft.monitor[phase][source];
      }
      if (Object.keys(changed).length > 0) (monitor as Record<MonitorPhase, typeof changed>)[phase] = changed;
    }
    if (Object.keys(monitor).length > 0) patch.monitor = monitor;
    const beeps: { -readonly [K in keyof BeepSettings]?: BeepSettings[K] } = {};
    if (count !== saved.beeps.count) beeps.count = count;
    if (frequencyHz !== saved.beeps.frequencyHz) beeps.frequencyHz = frequencyHz;
    if (levelDb !== saved.beeps.levelDb) beeps.levelDb = levelDb;
    if (lengthFrames !== saved.beeps.lengthFrames) beeps.lengthFrames = lengthFrames;
    if (spacingSeconds !== saved.beeps.spacingSeconds) beeps.spacingSeconds = spacingSeconds;
    if (draft.beepOnIn !== saved.beeps.beepOnIn) beeps.beepOnIn = draft.beepOnIn;
    if (draft.loopbackInput !== saved.loopbackInput) patch.loopbackInput = draft.loopbackInput;
    if (Object.keys(beeps).length > 0) patch.beeps = beeps;
    if (manualOffset !== saved.manualOffset) patch.manualOffset = manualOffset;
    const template = draft.takeTemplate.trim();
    if (template === '') throw new LoopstageError('RECORDING_SETTINGS_INVALID', 'Give the take name template, such as {cue}_{character}_T{take:02}.');
    if (template !== saved.takeTemplate) patch.takeTemplate = template;
    // The engine's own rules, so a mistake is named before anything is sent.
    resolveRecordingSettings(patch, saved);
  } catch (error) {
    if (isLoopstageError(error)) return { ok: false, error: { code: error.code, message: error.message } };
    throw error;
  }
  return { ok: true, patch };
}

/** Whether recording may start, by the recorder's rules for cues; the refusal as the recorder words it. */
export function recordRefusal(recorder: { readonly armed: boolean; readonly calibrated: boolean; readonly uncalibrated: boolean }): ApiError | null {
  if (!recorder.armed) return { code: 'RECORD_NOT_ARMED', message: 'Arm recording first (Record-arm), then press Record.' };
  if (!recorder.calibrated && !recorder.uncalibrated) {
    return { code: 'RECORD_NOT_CALIBRATED', message: 'Recording is held until the round trip is measured on this stream: press Calibrate (output patched to input), or tick “Record uncalibrated” to record anyway.' };
  }
  return null;
}

/**
 * The take list as it will be once the engine has applied a mark: the core rules (the latest mark
 * wins; one circled take per cue), so the list shows the mark at once. Unchanged (the same list)
 * when the take is not in it or the change breaks a rule (the engine then says why).
 */
export function markedLocally(takes: readonly Take[], takeId: number, change: TakeMarkChange): readonly Take[] {
  const target = takes.find((t) => t.id === takeId);
  if (!target) return takes;
  let after: TakeMarkState;
  try {
    after = applyMarkChange(target, change);
  } catch {
    return takes;
  }
  return takes.map((t) => {
    if (t.id === takeId) return { ...t, ...after };
    if (after.circled && t.circled && t.cueId === target.cueId && t.passId === target.passId) return { ...t, circled: false };
    return t;
  });
}
