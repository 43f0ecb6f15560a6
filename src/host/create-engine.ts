/** The composition root: the engine with its real adapters (SQLite projects, the audio process). */
import { AudioProcessHost } from '../adapters/audio/audio-process-host.js';
import { CueFileFormats } from '../adapters/interchange/cue-formats.js';
import { SqliteProjectStore } from '../adapters/sqlite/project-store.js';
import { LocalTakeFiles } from '../adapters/files/take-files.js';
import { FfmpegPictureTools, ffmpegPaths } from '../adapters/picture/ffmpeg-tools.js';
import { Engine } from '../engine/session/engine.js';
import { createProjectLog } from './project-log.js';

export interface EngineOptions {
  /** Also show diagnostics here (a terminal with LOOPSTAGE_DEBUG set, Electron's console). */
  readonly echo?: (line: string) => void;
}

export function createEngine(options: EngineOptions = {}): Engine {
  const log = createProjectLog(() => engine.project?.dir ?? null, options.echo);
  const engine: Engine = new Engine({
    projects: new SqliteProjectStore(),
    audio: new AudioProcessHost(log),
    formats: new CueFileFormats(),
    files: new LocalTakeFiles(),
    // The system's ffmpeg, or the one LOOPSTAGE_FFMPEG names.
    pictureTools: new FfmpegPictureTools(ffmpegPaths()),
    now: () => new Date(),
    delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log,
  });
  return engine;
}
