/**
 * Reading lists that other tools wrote: UTF-8 (with or without a BOM), UTF-16 with a BOM (Excel's
 * "Unicode text", some Pro Tools exports), or, when the bytes are not valid UTF-8, Windows-1252
 * (older Pro Tools and spreadsheet exports) — said in a warning so nobody is surprised.
 * Writing: to a temporary file beside the target, then renamed over it, so a full disk or a crash
 * never leaves a half-written export.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LoopstageError } from '../../core/errors.js';

export interface DecodedText {
  readonly text: string;
  readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
}

export function decodeText(bytes: Uint8Array): DecodedText {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start)), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

export async function readTextFile(file: string): Promise<DecodedText> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LoopstageError('FILE_NOT_FOUND', `There is no file ${file}; check the path.`);
    if (code === 'EISDIR') throw new LoopstageError('FILE_IS_FOLDER', `${file} is a folder, not a file; name the list file itself.`);
    throw new LoopstageError('FILE_UNREADABLE', `${file} could not be read (${code ?? String(error)}); check its permissions.`);
  }
  return decodeText(bytes);
}

/** Writes `data` to `file` atomically; refuses to replace an existing file unless `overwrite`. */
export async function writeFileAtomic(file: string, data: Uint8Array, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    const exists = await fs.stat(file).then(() => true, () => false);
    if (exists) throw new LoopstageError('FILE_EXISTS', `${file} already exists; choose another name, or add --force to replace it.`);
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    if (error instanceof LoopstageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new LoopstageError('DISK_FULL', `The disk is full, so ${file} was not written (nothing was left half-written); free some space and export again.`);
    if (code === 'ENOENT') throw new LoopstageError('FOLDER_NOT_FOUND', `The folder ${path.dirname(file)} does not exist; create it or choose another place.`);
    throw new LoopstageError('FILE_WRITE_FAILED', `${file} could not be written (${code ?? String(error)}); check the folder's permissions.`);
  }
}
