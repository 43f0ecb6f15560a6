/**
 * Marking takes: circled, alternate, NG, false start, rating and note, in the database and in the
 * take files' iXML together, and in the session log. The UI and `loopstage takes mark` both come
 * here, so a mark has the same effect whichever way it was made.
 *
 * The database and the files agree: the marks are written in one transaction, and the files are
 * rewritten (in place, the audio bytes untouched) before it commits. When a file cannot take its
 * marks, the files already rewritten get their old marks back and the transaction rolls back, so
 * the mark is refused as a whole with the file's reason.
 */
import { describeMarkChange, marksOf, type TakeMarkChange } from '../../core/recording/take-marks.js';
import { joinPath } from '../../core/files/project-path.js';
import type { ProjectHandle } from '../ports/project-store.js';
import type { TakeFiles } from '../ports/take-files.js';
import type { MarkedTake, MarkOutcome, TakeRecord } from '../ports/take-store.js';

/** Who is acting, for the session log. */
export interface Actor {
  readonly stage: string;
  readonly who: string;
}

export interface MarkContext {
  readonly handle: ProjectHandle;
  readonly files: TakeFiles;
  readonly now: () => Date;
  readonly actor: Actor;
  /** "R101 T03" or "Feet ROBIN sc 12 T02": how the log names a take. */
  readonly nameOf: (take: TakeRecord) => string;
}

export async function markTake(ctx: MarkContext, takeId: number, marks: TakeMarkChange): Promise<MarkOutcome> {
  const { handle, files } = ctx;
  const outcome = await handle.takes.mark(takeId, marks, async (changes) => {
    const rewritten: MarkedTake[] = [];
    try {
      for (const change of changes) {
        const file = joinPath(handle.dir, change.after.path);
        // An aborted take may have no file at all: its marks live in the database only.
        if (change.after.status === 'aborted' && !(await files.exists(file))) continue;
        await files.writeMarks(file, change.after);
        rewritten.push(change);
      }
    } catch (error) {
      for (const change of rewritten.reverse()) {
        await files.writeMarks(joinPath(handle.dir, change.before.path), change.before).catch(() => undefined);
      }
      throw error;
    }
  });
  const at = ctx.now().toISOString();
  for (const change of [outcome.take, ...outcome.others]) {
    if (change.before === change.after) continue;
    await handle.log.add({
      at,
      ...ctx.actor,
      action: 'take.marked',
      cueId: change.after.cueId,
      passId: change.after.passId,
      takeId: change.after.id,
      text: `${ctx.nameOf(change.after)}: ${describeMarkChange(change.before, change.after)}`,
      data: { before: marksOf(change.before), after: marksOf(change.after), path: change.after.path },
    });
  }
  return outcome;
}
