/**
 * Binds the engine to the API contract: one handler per method, and the engine's events forwarded
 * as API events. Every host (server, Electron, in-memory tests) uses this one binding.
 */
import type { ApiHandlers, EventName, EventPayload } from '../api/contract.js';
import type { Engine } from '../engine/session/engine.js';

export const VERSION = '0.1.0';

export function createApiHandlers(engine: Engine, host: 'electron' | 'server' | 'test'): ApiHandlers {
  return {
    'app.hello': async () => ({ version: VERSION, host }),
    'project.current': async () => engine.project,
    'project.open': async ({ dir }) => engine.openProject(dir),
    'project.create': async ({ dir, settings }) => engine.createProject(dir, settings),
    'project.update': async (patch) => engine.updateProject(patch),
    'audio.devices': async () => {
      const list = await engine.listDevices();
      return { audio: list.audio, midi: list.midi };
    },
    'audio.select': async (selection) => engine.selectAudio(selection),
    'audio.status': async () => engine.audioStatus,
    'transport.play': async () => engine.play(),
    'transport.stop': async () => engine.stop(),
    'transport.locate': async ({ position }) => engine.locate(position),
    'transport.state': async () => engine.transportState,
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
  ];
  return () => off.forEach((unsubscribe) => unsubscribe());
}
