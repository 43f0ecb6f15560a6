/**
 * Binds the engine to the API contract: one handler per method, and the engine's events forwarded
 * as API events. Every host (server, Electron, in-memory tests) uses this one binding.
 */
import type { ApiHandlers, EventName, EventPayload, ImportPreviewDto } from '../api/contract.js';
import type { CueChangeEvent, ImportPreview } from '../engine/cues/cue-service.js';
import type { Engine } from '../engine/session/engine.js';
import type { Duration, Position } from '../core/time/index.js';
import { safeFileName } from '../core/files/safe-file-name.js';
import { sessionLogCsv } from '../adapters/interchange/session-log-csv.js';

/** Previews list at most this many new cues on the wire; the counts always cover all of them. */
const PREVIEW_CREATES_SHOWN = 500;
const PREVIEW_ISSUES_SHOWN = 1000;

export function previewDto(preview: ImportPreview): ImportPreviewDto {
  const { plan } = preview;
  const errors = plan.issues.filter((issue) => issue.severity === 'error').length;
  return {
    id: preview.id,
    format: preview.format,
    fileName: preview.fileName,
    columns: [...preview.columns],
    counts: {
      create: plan.creates.length,
      update: plan.updates.length,
      unchanged: plan.unchanged.length,
      errors,
      warnings: plan.issues.length - errors,
      characters: plan.characters.length,
      scenes: plan.scenes.create.length + plan.scenes.update.length,
    },
    creates: plan.creates.slice(0, PREVIEW_CREATES_SHOWN).map((c) => ({ fields: c.fields, source: c.source })),
    updates: plan.updates.map((u) => ({ id: u.id, number: u.number, changes: [...u.changes], source: u.source })),
    characters: plan.characters.map((c) => ({ name: c.name, actor: c.actor ?? null })),
    issues: plan.issues.slice(0, PREVIEW_ISSUES_SHOWN),
    canApply: plan.canApply,
  };
}

function changeDto(engine: Engine, event: CueChangeEvent) {
  return { ...event, cues: [...event.cues], removedCueIds: [...event.removedCueIds], ...(event.listsChanged ? { lists: listsDto(engine) } : {}) };
}

function listsDto(engine: Engine) {
  const lists = engine.cues.lists;
  return { characters: [...lists.characters], reels: [...lists.reels], scenes: [...lists.scenes], reasonCodes: [...lists.reasonCodes], numbering: lists.numbering };
}

/** Engine values carry readonly arrays and branded positions; the wire types want plain ones. */
function copy<T>(value: T): Mutable<T> {
  return value as Mutable<T>;
}
type Mutable<T> = T extends Position | Duration
  ? number
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Mutable<T[K]> } // arrays stay arrays, tuples stay tuples
    : T extends object
      ? { -readonly [K in keyof T]: Mutable<T[K]> }
      : T;

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** The passes with the events their takes cover and how many takes each has. */
async function passesDto(engine: Engine) {
  const [passes, takes] = await Promise.all([engine.recorder.passes(), engine.recorder.takes()]);
  const counts = new Map<number, number>();
  for (const take of takes) if (take.passId !== null) counts.set(take.passId, (counts.get(take.passId) ?? 0) + 1);
  return passes.map((pass) => ({ ...copy(pass), takeCount: counts.get(pass.id) ?? 0 }));
}

export const VERSION = '0.1.0';

export function createApiHandlers(engine: Engine, host: 'electron' | 'server' | 'test'): ApiHandlers {
  return {
    'app.hello': async () => ({ version: VERSION, host }),
    'project.current': async () => engine.project,
    'project.open': async ({ dir }) => engine.openProject(dir),
    'project.create': async ({ dir, settings }) => engine.createProject(dir, settings),
    'project.update': async (patch) => engine.updateProject(patch),
    'audio.devices': async ({ refresh }) => {
      const list = await engine.listDevices({ refresh: refresh ?? false });
      return { audio: list.audio, midi: list.midi };
    },
    'audio.select': async (selection) => engine.selectAudio(selection),
    'audio.status': async () => engine.audioStatus,
    'audio.calibrate': async () => engine.calibrate(),
    'transport.play': async () => engine.play(),
    'transport.stop': async () => engine.stop(),
    'transport.locate': async ({ position }) => engine.locate(position),
    'transport.state': async () => engine.transportState,
    'cues.list': async ({ filter }) => ({ cues: engine.cues.list(filter), lists: listsDto(engine), history: engine.cues.history, revision: engine.cues.revision }),
    'cues.create': async (fields) => changeDto(engine, await engine.cues.create(fields)),
    'cues.edit': async ({ id, patch }) => changeDto(engine, await engine.cues.edit(id, patch)),
    'cues.delete': async ({ ids }) => changeDto(engine, await engine.cues.remove(ids)),
    'cues.undo': async () => {
      const event = await engine.cues.undo();
      return event && changeDto(engine, event);
    },
    'cues.redo': async () => {
      const event = await engine.cues.redo();
      return event && changeDto(engine, event);
    },
    'cues.renumber': async ({ filter }) => changeDto(engine, await engine.cues.renumber(filter)),
    'cues.numbering': async (scheme) => engine.cues.setNumbering(scheme),
    'characters.update': async ({ id, patch }) => changeDto(engine, await engine.cues.updateCharacter(id, patch)),
    'reels.update': async ({ id, patch }) => changeDto(engine, await engine.cues.updateReel(id, patch)),
    'reasons.add': async ({ code, label }) => changeDto(engine, await engine.cues.addReason(code, label)),
    'reasons.update': async ({ id, patch }) => changeDto(engine, await engine.cues.updateReason(id, patch)),
    'reasons.remove': async ({ id }) => changeDto(engine, await engine.cues.removeReason(id)),
    'cues.importPreview': async (request) => previewDto(await engine.cues.previewImport(request)),
    'cues.importApply': async ({ previewId }) => changeDto(engine, await engine.cues.applyImport(previewId)),
    'cues.export': async (request) => {
      const file = await engine.cues.export(request);
      return { fileName: file.fileName, mimeType: file.mimeType, base64: base64(file.data) };
    },
    'recording.settings': async () => copy(await engine.recordingSettings()),
    'recording.update': async (patch) => copy(await engine.updateRecordingSettings(patch)),
    'recorder.state': async () => copy(engine.recorder.state),
    'recorder.roll': async (request) => copy(await engine.recorder.start(request)),
    'recorder.stop': async () => copy(await engine.recorder.stop()),
    'takes.list': async ({ cueId, passId }) => copy(await engine.recorder.takes({ cueId, passId })),
    'takes.play': async ({ takeId, loop }) => copy(await engine.recorder.review(takeId, { loop })),
    'takes.compare': async ({ a, b, listen, loop }) => copy(await engine.recorder.compare(a, b, { listen, loop })),
    'takes.listen': async ({ take }) => copy(await engine.recorder.listen(take)),
    'takes.mark': async ({ takeId, marks }) => {
      const outcome = await engine.recorder.mark(takeId, marks);
      return copy({ take: outcome.take.after, others: outcome.others.map((change) => change.after) });
    },
    'log.list': async (options) => copy(await engine.sessionLog(options)),
    'log.export': async () => {
      const entries = await engine.sessionLog();
      const stamp = new Date().toISOString().slice(0, 10);
      return { fileName: safeFileName(`${engine.project?.title ?? 'Loopstage'} session log ${stamp}.csv`, 'session-log.csv'), mimeType: 'text/csv', base64: base64(new TextEncoder().encode(sessionLogCsv(entries))) };
    },
    'passes.list': async () => passesDto(engine),
    'passes.create': async (request) => {
      const created = await engine.recorder.createPass(request);
      return (await passesDto(engine)).find((p) => p.id === created.id)!;
    },
    'session.place': async () => engine.sessionState(),
    'session.setPlace': async (patch) => engine.setSessionState(patch),
    'session.identity': async () => engine.identity(),
    'session.setIdentity': async (patch) => engine.setIdentity(patch),
    'session.keymap': async () => copy(await engine.keymap()),
    'session.setKeymap': async ({ overrides }) => copy(await engine.setKeymap(overrides)),
    'cueRoll.get': async ({ cueId }) => engine.recorder.roll(cueId),
    'cueRoll.set': async (roll) => engine.recorder.setRoll(roll),
    'guides.list': async () => copy(await engine.recorder.guides()),
    'guides.update': async ({ id, patch }) => copy(await engine.recorder.updateGuide(id, patch)),
    'pictures.list': async () => copy(await engine.pictures.list()),
    'pictures.add': async ({ file, ...options }) => copy(await engine.pictures.add(file, options)),
    'pictures.cancel': async () => ({ cancelled: engine.pictures.cancel() }),
    'pictures.update': async ({ id, ...patch }) => copy(await engine.pictures.update(id, patch)),
    'pictures.setCue': async ({ cueId, pictureId }) => copy(await engine.pictures.setCuePicture(cueId, pictureId)),
    'pictures.settings': async () => copy(await engine.pictures.settings()),
    'pictures.updateSettings': async (patch) => copy(await engine.pictures.updateSettings(patch)),
    'syncLogs.add': async (log) => copy(await engine.pictures.addSyncLog(log)),
    'syncLogs.list': async ({ limit }) => copy(await engine.pictures.listSyncLogs(limit)),
    'syncLogs.get': async ({ id }) => copy(await engine.pictures.syncLog(id)),
  };
}

/** Forwards engine events to a publisher (a socket broadcast, IPC send…); returns an unsubscribe. */
export function forwardEngineEvents(
  engine: Engine,
  publish: <E extends EventName>(name: E, payload: EventPayload<E>) => void,
): () => void {
  const off = [
    engine.events.on('tick', (tick) => publish('clock.tick', tick)),
    engine.events.on('transport', (snapshot) => publish('transport.changed', snapshot)),
    engine.events.on('audio', (status) => publish('audio.status', status)),
    engine.events.on('project', (info) => publish('project.changed', info)),
    engine.events.on('cues', (event) => publish('cues.changed', changeDto(engine, event))),
    engine.events.on('takes', (event) => publish('takes.changed', copy(event))),
    engine.events.on('recorder', (state) => publish('recorder.changed', copy(state))),
    engine.events.on('meters', (reading) => publish('meters', copy(reading))),
    engine.events.on('pictures', (list) => publish('pictures.changed', copy(list))),
    engine.events.on('pictureProgress', (progress) => publish('pictures.progress', progress)),
    engine.events.on('pictureSettings', (settings) => publish('pictures.settings', copy(settings))),
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}
