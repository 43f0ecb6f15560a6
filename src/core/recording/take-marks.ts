/**
 * What people say about a take, and how one mark changes the others. The rules, as a supervisor
 * uses them: the circled take is the one for the edit, and a cue (or Foley pass) has at most one;
 * an alternate is a second choice; NG and false start say the take is not to be used. So the
 * latest mark wins: circling clears alternate, NG and false start; marking NG or a false start
 * clears circled and alternate. Asking for two that exclude each other in one change is refused.
 */
import { LoopstageError } from '../errors.js';

export interface TakeMarkState {
  readonly circled: boolean;
  readonly alternate: boolean;
  readonly noGood: boolean;
  readonly falseStart: boolean;
  /** Stars 0–5, or null when nobody rated the take. */
  readonly rating: number | null;
  readonly note: string;
}

export type TakeMarkChange = Partial<TakeMarkState>;

/** Just the marks of a take (or of a file's iXML): what a mark changes and what the log records. */
export function marksOf(from: TakeMarkState): TakeMarkState {
  return { circled: from.circled, alternate: from.alternate, noGood: from.noGood, falseStart: from.falseStart, rating: from.rating, note: from.note };
}

export const MAX_TAKE_NOTE = 10_000;

function invalid(what: string, change: TakeMarkChange): LoopstageError {
  return new LoopstageError('TAKE_MARK_INVALID', `The take was not marked because ${what}.`, { marks: { ...change } });
}

/** Checks a change on its own: types, ranges, and marks that exclude each other. */
export function checkMarkChange(change: TakeMarkChange): void {
  for (const [key, label] of [['circled', 'circled'], ['alternate', 'alternate'], ['noGood', 'NG'], ['falseStart', 'false start']] as const) {
    const value = change[key];
    if (value !== undefined && typeof value !== 'boolean') throw invalid(`${label} must be true or false; pass one of those`, change);
  }
  const { rating, note } = change;
  if (rating !== undefined && rating !== null && !(Number.isInteger(rating) && rating >= 0 && rating <= 5)) {
    throw invalid(`the rating ${JSON.stringify(rating)} is not 0 to 5 stars; give a whole number of stars from 0 to 5, or none`, change);
  }
  if (note !== undefined && (typeof note !== 'string' || note.length > MAX_TAKE_NOTE)) {
    throw invalid(`a note is text of at most ${MAX_TAKE_NOTE} characters; shorten it`, change);
  }
  const usable = change.circled === true || change.alternate === true;
  const unusable = change.noGood === true || change.falseStart === true;
  if (change.circled === true && change.alternate === true) throw invalid('a take is either circled or an alternate, not both; choose one', change);
  if (usable && unusable) {
    throw invalid(`a take marked ${change.noGood ? 'NG' : 'false start'} cannot also be ${change.circled ? 'circled' : 'an alternate'}; choose one`, change);
  }
}

/** The marks after `change`, by the latest-mark-wins rules above. */
export function applyMarkChange(current: TakeMarkState, change: TakeMarkChange): TakeMarkState {
  checkMarkChange(change);
  let next: TakeMarkState = { ...current, ...definedOnly(change) };
  if (change.circled === true) next = { ...next, alternate: false, noGood: false, falseStart: false };
  if (change.alternate === true) next = { ...next, circled: false, noGood: false, falseStart: false };
  if (change.noGood === true || change.falseStart === true) next = { ...next, circled: false, alternate: false };
  return next;
}

function definedOnly(change: TakeMarkChange): TakeMarkChange {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)) as TakeMarkChange;
}

export function sameMarks(a: TakeMarkState, b: TakeMarkState): boolean {
  return a.circled === b.circled && a.alternate === b.alternate && a.noGood === b.noGood && a.falseStart === b.falseStart && a.rating === b.rating && a.note === b.note;
}

/** "circled, 4 stars, note “…”": what a change did, for the session log. */
export function describeMarkChange(before: TakeMarkState, after: TakeMarkState): string {
  const parts: string[] = [];
  const flag = (key: 'circled' | 'alternate' | 'noGood' | 'falseStart', on: string, off: string) => {
    if (before[key] !== after[key]) parts.push(after[key] ? on : off);
  };
  flag('circled', 'circled', 'uncircled');
  flag('alternate', 'alternate', 'no longer an alternate');
  flag('noGood', 'NG', 'NG cleared');
  flag('falseStart', 'false start', 'false start cleared');
  if (before.rating !== after.rating) parts.push(after.rating === null ? 'rating cleared' : `${after.rating} star${after.rating === 1 ? '' : 's'}`);
  if (before.note !== after.note) parts.push(after.note === '' ? 'note cleared' : `note “${after.note.length > 80 ? `${after.note.slice(0, 79)}…` : after.note}”`);
  return parts.length > 0 ? parts.join(', ') : 'unchanged';
}
