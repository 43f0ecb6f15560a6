/**
 * Recovery of a take left mid-recording (a crash, a killed process, a power cut): its header
 * still holds the sizes of the last flush, while the file holds more samples — or, after a power
 * cut, fewer than the header claims. `repairTake` makes the header describe what is really there:
 * every whole frame after the header (a partial last frame is cut off), RF64 when that is past
 * 4 GiB. A file whose sizes already agree with its length is left alone; a file without a WAV
 * header Loopstage can read is TAKE_UNREADABLE and left untouched. Run it only on files no writer
 * has open (at start-up, before recording).
 */
import { sizePatches, RIFF_MAX_FILE_BYTES } from '../../core/bwf/bext.js';
import { isLoopstageError, LoopstageError } from '../../core/errors.js';
import { openTakeFile, readTakeHeader, takeFileError } from './take-writer.js';

export interface RepairResult {
  /** Frames the file holds now. */
  readonly frames: number;
  /** True when the header (and perhaps the length) was changed. */
  readonly repaired: boolean;
  readonly dataBytes: number;
  /** Bytes of a partial last frame that were cut off. */
  readonly droppedBytes: number;
  readonly rf64: boolean;
}

export async function repairTake(file: string): Promise<RepairResult> {
  // Read-only first: a file that cannot be repaired is not even opened for writing.
  const reader = await openTakeFile(file, 'r');
  let scanned: Awaited<ReturnType<typeof readTakeHeader>>;
  try {
    scanned = await readTakeHeader(reader, file);
  } finally {
    await reader.close().catch(() => undefined);
  }
  const { scan, size } = scanned;
  const { layout } = scan;
  if (layout.dataOffset > size) {
    throw new LoopstageError('TAKE_UNREADABLE', `"${file}" ends inside its own header, so it holds no samples. It was left as it is.`, { path: file });
  }

  const declaredDataEnd = layout.dataOffset + scan.declaredDataBytes;
  const consistent =
    scan.declaredDataBytes % layout.blockAlign === 0 &&
    declaredDataEnd <= scan.declaredRiffEnd &&
    scan.declaredRiffEnd <= size &&
    size - scan.declaredRiffEnd <= 1 && // nothing beyond the RIFF extent but perhaps a pad byte
    (scan.declaredFrames === null || scan.declaredFrames === scan.declaredDataBytes / layout.blockAlign);
  if (consistent) {
    return { frames: scan.declaredDataBytes / layout.blockAlign, repaired: false, dataBytes: scan.declaredDataBytes, droppedBytes: 0, rf64: layout.container !== 'RIFF' };
  }

  const available = size - layout.dataOffset;
  const dataBytes = Math.floor(available / layout.blockAlign) * layout.blockAlign;
  const dropped = available - dataBytes;
  const pad = (dataBytes & 1) === 1;
  const riffEnd = layout.dataOffset + dataBytes + (pad ? 1 : 0);
  const rf64 = layout.container !== 'RIFF' || riffEnd - 8 > RIFF_MAX_FILE_BYTES;
  let patches;
  try {
    patches = sizePatches(layout, { dataBytes, riffEnd, rf64 });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LoopstageError('TAKE_UNREADABLE', `"${file}" cannot be repaired: ${reason} It was left as it is.`, { path: file });
  }

  const handle = await openTakeFile(file, 'r+');
  try {
    if (dropped > 0) await handle.truncate(layout.dataOffset + dataBytes);
    if (pad) await handle.write(new Uint8Array(1), 0, 1, layout.dataOffset + dataBytes);
    for (const patch of patches) await handle.write(patch.bytes, 0, patch.bytes.length, patch.offset);
    await handle.sync();
  } catch (error) {
    throw isLoopstageError(error) ? error : takeFileError(error, file);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return { frames: dataBytes / layout.blockAlign, repaired: true, dataBytes, droppedBytes: dropped, rf64 };
}
