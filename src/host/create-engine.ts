/** The composition root: the engine with its real adapters (SQLite projects, the audio process). */
import { AudioProcessHost } from '../adapters/audio/audio-process-host.js';
import { SqliteProjectStore } from '../adapters/sqlite/project-store.js';
import { Engine } from '../engine/session/engine.js';

export interface EngineOptions {
  /** Where diagnostics go (the audio process's ALSA/PortAudio chatter among them). */
  readonly log?: (line: string) => void;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const log = options.log ?? (() => {});
  return new Engine({
    projects: new SqliteProjectStore(),
    audio: new AudioProcessHost(log),
    now: () => new Date(),
    log,
  });
}
