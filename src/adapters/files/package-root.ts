import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoopstageError } from '../../core/errors.js';

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The package root: the nearest folder at or above `from` holding both package.json and a
 * migrations/ folder. Works from the TypeScript sources (vitest, tsx) and from the compiled
 * dist/ alike; the server, Electron and migrations find their files from it.
 */
export function findPackageRoot(from: string | URL = import.meta.url): string {
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  let dir = path.dirname(path.resolve(start));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && isDirectory(path.join(dir, 'migrations'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new LoopstageError(
        'INSTALL_INCOMPLETE',
        `No Loopstage package (package.json beside migrations/) was found above ${path.dirname(path.resolve(start))}; this installation is incomplete, reinstall it.`,
        { from: start },
      );
    }
    dir = parent;
  }
}
