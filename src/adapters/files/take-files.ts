/** The TakeFiles port on the local file system. */
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { probePlacedFile } from '../audio/placed-audio.js';
import type { AudioFileInfo, TakeFiles } from '../../engine/ports/take-files.js';
import { repairTake } from './take-recovery.js';
import { takeFileError, updateMetadata } from './take-writer.js';
import { marksOf, type TakeMarkState } from '../../core/recording/take-marks.js';

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

  probe(file: string): Promise<AudioFileInfo> {
    // The same reading of the header that will play the file (PlacedAudio): what it accepts here, it plays.
    return probePlacedFile(file);
  }

  async writeMarks(file: string, marks: TakeMarkState): Promise<void> {
    await updateMetadata(file, (current) => ({ ...current, ...marksOf(marks) }));
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
