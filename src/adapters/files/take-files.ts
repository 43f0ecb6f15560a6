/** The TakeFiles port on the local file system. */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { LoopstageError, isLoopstageError } from '../../core/errors.js';
import { scanWavHeader, WAVE_FORMAT_IEEE_FLOAT } from '../../core/bwf/bext.js';
import { readBwf } from '../../core/bwf/read-bwf.js';
import type { AudioFileInfo, TakeFiles } from '../../engine/ports/take-files.js';
import { repairTake } from './take-recovery.js';
import { takeFileError } from './take-writer.js';

const HEADER_BYTES = 1 << 20;

export class LocalTakeFiles implements TakeFiles {
  async exists(file: string): Promise<boolean> {
    return stat(file).then(() => true, () => false);
  }

  async list(folder: string): Promise<string[]> {
    try {
      return await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw takeFileError(error, path.join(folder, '.'));
    }
  }

  async ensureFolder(folder: string): Promise<void> {
    try {
      await mkdir(folder, { recursive: true });
    } catch (error) {
      throw takeFileError(error, path.join(folder, '.'));
    }
  }

  async repair(file: string): Promise<{ frames: number; repaired: boolean }> {
    const result = await repairTake(file);
    return { frames: result.frames, repaired: result.repaired };
  }

  async probe(file: string): Promise<AudioFileInfo> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new LoopstageError('GUIDE_MISSING', `There is no file at ${file}; check the path.`, { path: file });
      throw new LoopstageError('GUIDE_UNREADABLE', `${file} could not be read (${code ?? String(error)}); check its permissions.`, { path: file });
    }
    try {
      const { size } = await handle.stat();
      const head = Buffer.alloc(Math.min(size, HEADER_BYTES));
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      const bytes = head.subarray(0, bytesRead);
      const scan = scanWavHeader(bytes, size);
      const { layout } = scan;
      if (![1, 3, 0xfffe].includes(layout.formatTag)) {
        throw new LoopstageError('GUIDE_FORMAT', `${path.basename(file)} holds compressed audio (format ${layout.formatTag}); convert it to PCM WAV first (for example \`ffmpeg -i in.wav -c:a pcm_s24le out.wav\`).`, { path: file });
      }
      const available = Math.min(scan.declaredDataBytes, size - layout.dataOffset);
      let timeReference: number | null = null;
      try {
        timeReference = readBwf(bytes).bext?.timeReference ?? null;
      } catch {
        timeReference = null; // no readable bext: the user gives the place
      }
      return {
        channels: layout.channels,
        sampleRate: layout.sampleRate,
        bitsPerSample: layout.bitsPerSample,
        float: layout.formatTag === WAVE_FORMAT_IEEE_FLOAT,
        frames: Math.floor(Math.max(0, available) / layout.blockAlign),
        timeReference,
      };
    } catch (error) {
      if (isLoopstageError(error) && error.code.startsWith('GUIDE_')) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new LoopstageError('GUIDE_UNREADABLE', `${path.basename(file)} is not a WAV or Broadcast WAV file Loopstage can read (${reason}); export the guide as WAV.`, { path: file });
    } finally {
      await handle.close();
    }
  }

  async copy(from: string, to: string): Promise<void> {
    try {
      await copyFile(from, to, fsConstants.COPYFILE_EXCL);
      const handle = await open(to, 'r');
      await handle.sync().finally(() => handle.close());
    } catch (error) {
      throw takeFileError(error, to);
    }
  }
}
