/**
 * The engine's diagnostics (the audio process's PortAudio/ALSA messages among them) go to the open
 * project's logs/loopstage.log, so a session's history travels with the project folder.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import path from 'node:path';

export function createProjectLog(projectDir: () => string | null, echo?: (line: string) => void): (line: string) => void {
  let dir: string | null = null;
  let stream: WriteStream | null = null;
  return (line: string) => {
    echo?.(line);
    const current = projectDir();
    if (current !== dir) {
      stream?.end();
      stream = null;
      dir = current;
      if (dir) {
        try {
          mkdirSync(path.join(dir, 'logs'), { recursive: true });
          stream = createWriteStream(path.join(dir, 'logs', 'loopstage.log'), { flags: 'a' });
          // A log that cannot be written must not take the engine down with it.
          stream.on('error', () => {
            stream = null;
          });
        } catch {
          stream = null;
        }
      }
    }
    stream?.write(`${new Date().toISOString()} ${line}\n`);
  };
}
