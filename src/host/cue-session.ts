/**
 * The cue list of a project without the rest of the engine: what the command line needs to import,
 * list and export, with the same CueService (and so the same rules) as the UI.
 */
import { CueFileFormats } from '../adapters/interchange/cue-formats.js';
import { SqliteProjectStore } from '../adapters/sqlite/project-store.js';
import { LocalTakeFiles } from '../adapters/files/take-files.js';
import { recoverTakes } from '../engine/recording/record-service.js';
import { CueService } from '../engine/cues/cue-service.js';
import type { ProjectHandle, ProjectInfo } from '../engine/ports/project-store.js';

export interface CueSession {
  readonly service: CueService;
  readonly info: ProjectInfo;
  readonly handle: ProjectHandle;
  close(): Promise<void>;
}

export async function openCueSession(dir: string): Promise<CueSession> {
  const handle = await new SqliteProjectStore().open(dir);
  try {
    const info = await handle.info();
    // Every way into a project first repairs and files takes a crash left mid-recording.
    await recoverTakes(handle, new LocalTakeFiles(), info.dir, new Date());
    const service = new CueService({ formats: new CueFileFormats(), now: () => new Date(), emit: () => {} });
    await service.load(handle, info);
    return { service, info, handle, close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
