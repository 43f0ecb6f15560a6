/**
 * The cue editor's form as plain data: every field as the form holds it (text for names, numbers
 * and timecode), made from a cue, and turned back into one patch of just the fields the user
 * changed, so a save is one edit and never reverts what someone else changed meanwhile.
 */
import type { Cue, CueKind, CueStatus, FoleyPass } from '../../core/cues/cue.js';
import type { FrameRate } from '../../core/time/index.js';
import { nameOrNull, readTimecode, timecodeLabel, type CuePatch } from './cue-model.js';

export interface CueDraft {
  number: string;
  kind: CueKind;
  inText: string;
  outText: string;
  character: string;
  reel: string;
  scene: string;
  status: CueStatus;
  reason: string;
  priority: string;
  onScreen: '' | 'on' | 'off';
  tv: boolean;
  tbw: boolean;
  adlib: boolean;
  optional: boolean;
  lineText: string;
  altText: string;
  notes: string;
  engNotes: string;
  colour: string;
  pass: '' | FoleyPass;
  surface: string;
  footwear: string;
  prop: string;
  description: string;
  track: string;
}

export function draftOf(cue: Cue, rate: FrameRate | null, sampleRate: number | null): CueDraft {
  return {
    number: cue.number,
    kind: cue.kind,
    inText: timecodeLabel(cue.in, rate, sampleRate),
    outText: timecodeLabel(cue.out, rate, sampleRate),
    character: cue.character ?? '',
    reel: cue.reel ?? '',
    scene: cue.scene ?? '',
    status: cue.status,
    reason: cue.reason ?? '',
    priority: cue.priority === null ? '' : String(cue.priority),
    onScreen: cue.onScreen === null ? '' : cue.onScreen ? 'on' : 'off',
    tv: cue.tv,
    tbw: cue.tbw,
    adlib: cue.adlib,
    optional: cue.optional,
    lineText: cue.lineText,
    altText: cue.altText,
    notes: cue.notes,
    engNotes: cue.engNotes,
    colour: cue.colour,
    pass: cue.pass ?? '',
    surface: cue.surface,
    footwear: cue.footwear,
    prop: cue.prop,
    description: cue.description,
    track: cue.track,
  };
}

export type DraftKey = keyof CueDraft;

/** The form fields that differ between `draft` and the `baseline` it was made from. */
export function changedKeys(baseline: CueDraft, draft: CueDraft): DraftKey[] {
  return (Object.keys(draft) as DraftKey[]).filter((key) => draft[key] !== baseline[key]);
}

export type DraftErrors = Partial<Record<'inText' | 'outText' | 'priority' | 'number', string>>;

export type DraftPatch = { ok: true; patch: CuePatch } | { ok: false; errors: DraftErrors };

/**
 * The patch for the fields changed since `baseline`, read at the project's rate; or, when a
 * changed field cannot be read, what is wrong with each such field.
 */
export function draftPatch(baseline: CueDraft, draft: CueDraft, rate: FrameRate | null, sampleRate: number | null): DraftPatch {
  const patch: CuePatch = {};
  const errors: DraftErrors = {};
  for (const key of changedKeys(baseline, draft)) {
    switch (key) {
      case 'inText':
      case 'outText': {
        const read = readTimecode(draft[key], rate, sampleRate);
        if (read.ok) patch[key === 'inText' ? 'in' : 'out'] = read.position;
        else errors[key] = read.message;
        break;
      }
      case 'number': {
        const number = draft.number.trim();
        if (number) patch.number = number;
        else errors.number = 'A cue needs a number; type one (e.g. R101), or renumber the list.';
        break;
      }
      case 'character':
      case 'reel':
      case 'scene':
        patch[key] = nameOrNull(draft[key]);
        break;
      case 'reason':
        patch.reason = draft.reason || null;
        break;
      case 'pass':
        patch.pass = draft.pass || null;
        break;
      case 'onScreen':
        patch.onScreen = draft.onScreen === '' ? null : draft.onScreen === 'on';
        break;
      case 'priority': {
        const text = draft.priority.trim();
        if (!text) patch.priority = null;
        else if (/^\d+$/.test(text) && Number(text) <= 10) patch.priority = Number(text);
        else errors.priority = 'Priority is a whole number from 0 to 10, or empty.';
        break;
      }
      default:
        (patch as Record<string, unknown>)[key] = draft[key];
    }
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, patch };
}
