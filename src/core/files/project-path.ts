/** Path strings without Node's `path`, so the engine can name files on any platform. */

/** The last part of a path, whichever separator it uses. */
export function baseName(file: string): string {
  return file.split(/[\\/]/).pop() ?? file;
}

/** A project-relative path (forward slashes) joined to an absolute folder with that folder's separator. */
export function joinPath(dir: string, relative: string): string {
  const separator = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  return `${dir.replace(/[\\/]+$/, '')}${separator}${relative.split('/').join(separator)}`;
}
