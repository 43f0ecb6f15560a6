/**
 * A project's recording settings: rolls, the take file format and name, the inputs recorded and
 * their names, the monitor matrix per phase, beeps, and the manual latency offset. Stored as one
 * JSON setting; `resolveRecordingSettings` fills defaults and refuses what cannot work, with a
 * sentence per problem.
 */
import { LoopstageError } from '../errors.js';
import { DEFAULT_BEEP_SETTINGS, DEFAULT_POST_ROLL_SECONDS, DEFAULT_PRE_ROLL_SECONDS, resolveBeepSettings, type BeepSettings } from '../cueing/beeps.js';
import { checkTakeTemplate, DEFAULT_TAKE_TEMPLATE } from '../files/take-name.js';
import type { SampleEncoding } from '../audio/pcm.js';
import { FOLEY_PASSES, FOLEY_PASS_LABELS, type FoleyPass } from '../cues/cue.js';

export interface MonitorMatrix {
  readonly rehearse: { readonly guide: boolean; readonly beeps: boolean; readonly input: boolean };
  readonly record: { readonly guide: boolean; readonly beeps: boolean; readonly input: boolean };
  readonly playback: { readonly guide: boolean; readonly beeps: boolean; readonly input: boolean };
}

export interface RecordingSettings {
  readonly preRollSeconds: number;
  readonly postRollSeconds: number;
  /** Take file samples: 16- or 24-bit integer, or 32-bit float. */
  readonly encoding: SampleEncoding;
  /** Input channels recorded (0-based, on the input device), in file channel order. */
  readonly inputChannels: readonly number[];
  /**
   * The input the loopback (output patched back in) arrives on for calibration, 0-based; null: the
   * first recorded input. Often a spare input, so the mic channels stay patched.
   */
  readonly loopbackInput: number | null;
  /** A name per input channel of the device (index = input channel); missing names read "Input N". */
  readonly channelNames: readonly string[];
  /** Output channels opened (the beeps, guide and monitoring go to all of them). */
  readonly outputChannels: number;
  readonly takeTemplate: string;
  /** iXML TAPE: the session day or sound roll. Empty: the recording date. */
  readonly tape: string;
  readonly monitor: MonitorMatrix;
  readonly beeps: BeepSettings;
  /** Samples added to the measured round trip (positive: takes are placed earlier). */
  readonly manualOffset: number;
  /** Guide playback level in dB. */
  readonly guideGainDb: number;
  /**
   * Track templates per kind of Foley (close mic + room for feet, say): the inputs its takes record,
   * with their names. A kind without one records `inputChannels`.
   */
  readonly passTemplates: Readonly<Partial<Record<FoleyPass, PassTemplate>>>;
}

export interface PassTemplate {
  /** Inputs recorded (0-based), in file channel order. */
  readonly inputChannels: readonly number[];
  /** A name per recorded input, in the same order ('' keeps the input's own name). */
  readonly names: readonly string[];
}

export const DEFAULT_MONITOR: MonitorMatrix = {
  // Rehearsal: the actor hears the original line, the beeps and themself.
  rehearse: { guide: true, beeps: true, input: true },
  // Recording: beeps and themself; the guide off, so it cannot bleed into the microphone.
  record: { guide: false, beeps: true, input: true },
  // Review: the take against picture, beeps off.
  playback: { guide: false, beeps: false, input: false },
};

export const DEFAULT_RECORDING_SETTINGS: RecordingSettings = {
  preRollSeconds: DEFAULT_PRE_ROLL_SECONDS,
  postRollSeconds: DEFAULT_POST_ROLL_SECONDS,
  encoding: 'pcm24',
  inputChannels: [0],
  loopbackInput: null,
  channelNames: [],
  outputChannels: 2,
  takeTemplate: DEFAULT_TAKE_TEMPLATE,
  tape: '',
  monitor: DEFAULT_MONITOR,
  beeps: DEFAULT_BEEP_SETTINGS,
  manualOffset: 0,
  guideGainDb: 0,
  passTemplates: {},
};

/** Most input channels one stream opens (PortAudio devices go higher, our meters and UI stop here). */
export const MAX_INPUT_CHANNELS = 64;
export const MAX_ROLL_SECONDS = 60;

function invalid(message: string, details: Record<string, unknown>): LoopstageError {
  return new LoopstageError('RECORDING_SETTINGS_INVALID', message, details);
}

export type RecordingSettingsPatch = Partial<Omit<RecordingSettings, 'monitor' | 'beeps' | 'passTemplates'>> & {
  readonly monitor?: Partial<{ [P in keyof MonitorMatrix]: Partial<MonitorMatrix[P]> }>;
  readonly beeps?: Partial<BeepSettings>;
  /** A template per kind replaces that kind's; null removes it. */
  readonly passTemplates?: Readonly<Partial<Record<FoleyPass, PassTemplate | null>>>;
};

function checkInputs(channels: unknown, what: string): void {
  if (!Array.isArray(channels) || channels.length === 0 || channels.length > MAX_INPUT_CHANNELS) {
    throw invalid(`${what} records 1 to ${MAX_INPUT_CHANNELS} input channels.`, { inputChannels: channels });
  }
  const seen = new Set<number>();
  for (const channel of channels as unknown[]) {
    if (!Number.isSafeInteger(channel) || (channel as number) < 0 || (channel as number) >= MAX_INPUT_CHANNELS) {
      throw invalid(`Input channel ${String(channel)} is not usable; channels are numbered from 1 to ${MAX_INPUT_CHANNELS}.`, { channel });
    }
    if (seen.has(channel as number)) throw invalid(`Input channel ${(channel as number) + 1} is chosen twice in ${what.toLowerCase()}; record each input once.`, { channel });
    seen.add(channel as number);
  }
}

/** Merges `patch` over `base` and checks the result. */
export function resolveRecordingSettings(patch: RecordingSettingsPatch = {}, base: RecordingSettings = DEFAULT_RECORDING_SETTINGS): RecordingSettings {
  const monitor: MonitorMatrix = {
    rehearse: { ...base.monitor.rehearse, ...patch.monitor?.rehearse },
    record: { ...base.monitor.record, ...patch.monitor?.record },
    playback: { ...base.monitor.playback, ...patch.monitor?.playback },
  };
  const templates = Object.fromEntries(
    Object.entries({ ...base.passTemplates, ...patch.passTemplates }).filter((entry): entry is [string, PassTemplate] => entry[1] !== null && entry[1] !== undefined),
  ) as Partial<Record<FoleyPass, PassTemplate>>;
  const s: RecordingSettings = { ...base, ...patch, monitor, beeps: resolveBeepSettings({ ...base.beeps, ...patch.beeps }), passTemplates: templates };
  for (const [name, value] of [['Pre-roll', s.preRollSeconds], ['Post-roll', s.postRollSeconds]] as const) {
    if (!Number.isFinite(value) || value < 0 || value > MAX_ROLL_SECONDS) {
      throw invalid(`${name} of ${String(value)} s is not usable; give 0 to ${MAX_ROLL_SECONDS} seconds.`, { value });
    }
  }
  if (!['pcm16', 'pcm24', 'float32'].includes(s.encoding)) {
    throw invalid(`Takes are recorded as 16-bit, 24-bit or 32-bit float ("pcm16", "pcm24", "float32"), not "${String(s.encoding)}".`, { encoding: s.encoding });
  }
  if (!Array.isArray(s.inputChannels) || s.inputChannels.length === 0 || s.inputChannels.length > MAX_INPUT_CHANNELS) {
    throw invalid(`Record from 1 to ${MAX_INPUT_CHANNELS} input channels.`, { inputChannels: s.inputChannels });
  }
  checkInputs(s.inputChannels, 'The recording');
  for (const [kind, template] of Object.entries(s.passTemplates)) {
    if (!FOLEY_PASSES.includes(kind as FoleyPass)) throw invalid(`"${kind}" is not a kind of Foley pass (${FOLEY_PASSES.join(', ')}).`, { kind });
    const label = `The ${FOLEY_PASS_LABELS[kind as FoleyPass].toLowerCase()} template`;
    checkInputs(template.inputChannels, label);
    if (!Array.isArray(template.names) || template.names.length > template.inputChannels.length || template.names.some((n) => typeof n !== 'string' || n.length > 64)) {
      throw invalid(`${label} names at most one track per input, each at most 64 characters.`, { kind });
    }
  }
  if (s.loopbackInput !== null && (!Number.isSafeInteger(s.loopbackInput) || s.loopbackInput < 0 || s.loopbackInput >= MAX_INPUT_CHANNELS)) {
    throw invalid(`Loopback input ${String(s.loopbackInput)} is not usable; inputs are numbered from 1 to ${MAX_INPUT_CHANNELS}.`, { loopbackInput: s.loopbackInput });
  }
  if (!Array.isArray(s.channelNames) || s.channelNames.some((name) => typeof name !== 'string' || name.length > 64)) {
    throw invalid('Channel names are text of at most 64 characters.', {});
  }
  if (!Number.isSafeInteger(s.outputChannels) || s.outputChannels < 1 || s.outputChannels > 32) {
    throw invalid(`Open 1 to 32 output channels, not ${String(s.outputChannels)}.`, { outputChannels: s.outputChannels });
  }
  checkTakeTemplate(s.takeTemplate);
  if (typeof s.tape !== 'string' || s.tape.length > 64) throw invalid('The tape name is text of at most 64 characters.', {});
  if (!Number.isSafeInteger(s.manualOffset) || Math.abs(s.manualOffset) > 192_000) {
    throw invalid(`A manual latency offset of ${String(s.manualOffset)} samples is not usable; give whole samples, at most one second either way.`, { manualOffset: s.manualOffset });
  }
  if (!Number.isFinite(s.guideGainDb) || s.guideGainDb > 12 || s.guideGainDb < -96) {
    throw invalid(`A guide level of ${String(s.guideGainDb)} dB is not usable; give −96 to +12 dB.`, { guideGainDb: s.guideGainDb });
  }
  for (const phase of ['rehearse', 'record', 'playback'] as const) {
    for (const key of ['guide', 'beeps', 'input'] as const) {
      if (typeof s.monitor[phase][key] !== 'boolean') throw invalid(`The monitor switch ${phase}/${key} is on or off (true or false).`, { phase, key });
    }
  }
  return s;
}

/** The name of input channel `index` (0-based). */
export function channelName(settings: Pick<RecordingSettings, 'channelNames'>, index: number): string {
  const name = settings.channelNames[index]?.trim();
  return name ? name : `Input ${index + 1}`;
}

/** The input calibration listens on (0-based): the loopback input, else the first recorded one. */
export function loopbackChannel(settings: Pick<RecordingSettings, 'inputChannels' | 'loopbackInput'>): number {
  return settings.loopbackInput ?? settings.inputChannels[0] ?? 0;
}

/** Stream input channels to open: enough for the highest channel recorded, and the loopback input. */
export function streamInputChannels(settings: Pick<RecordingSettings, 'inputChannels' | 'loopbackInput'> & Partial<Pick<RecordingSettings, 'passTemplates'>>): number {
  const templates = Object.values(settings.passTemplates ?? {}).flatMap((t) => t?.inputChannels ?? []);
  return Math.max(1, loopbackChannel(settings) + 1, ...settings.inputChannels.map((c) => c + 1), ...templates.map((c) => c + 1));
}
