/**
 * Foley passes in the UI without a browser: the request a "new pass" form makes, the events it
 * would take from the cue list, when a pass may be recorded, which events a take covers and
 * which events the project's pass takes cover.
 */
import type { ApiError, FoleyPassDto, Params, Take } from '../../api/contract.js';
import { FOLEY_PASS_LABELS, type Cue, type FoleyPass } from '../../core/cues/cue.js';
import { coveredEvents, type PassScope } from '../../core/recording/foley-passes.js';
import type { PassTemplate } from '../../core/recording/settings.js';

export type PassRequestParams = Params<'passes.create'>;

/** What a pass is made over, as the form offers it ("shown": the Foley events the cue list's filter shows). */
export type PassOver = 'scene' | 'reel' | 'shown';
export const PASS_OVER: readonly PassOver[] = ['scene', 'reel', 'shown'];
export const PASS_OVER_LABELS: Readonly<Record<PassOver, string>> = {
  scene: 'A scene',
  reel: 'A reel',
  shown: 'The Foley events the cue list shows',
};
export const PASS_SCOPE_LABELS: Readonly<Record<PassScope, string>> = { scene: 'Scene', reel: 'Reel', selection: 'Events' };

/** The "new pass" form as typed. */
export interface PassDraft {
  kind: FoleyPass;
  /** Empty: every character's events of the kind. */
  character: string;
  over: PassOver;
  scene: string;
  reel: string;
  /** Empty: the name Loopstage gives it ("Feet ROBIN sc 7"). */
  name: string;
}

export const EMPTY_PASS_DRAFT: PassDraft = { kind: 'feet', character: '', over: 'scene', scene: '', reel: '', name: '' };

const same = (a: string | null, b: string) => (a ?? '').trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The Foley events of `kind` (and `character`, when one is given) among `shown`, in the order
 * shown: what a pass over the cue list's filter holds, as a scene or reel pass would choose them.
 */
export function shownPassEvents(shown: readonly Cue[], kind: FoleyPass, character: string): Cue[] {
  return shown.filter((cue) => cue.kind === 'foley' && cue.pass === kind && (character.trim() === '' || same(cue.character, character)));
}

/** The `passes.create` request the form makes, or what is missing from it. */
export function passRequestOf(draft: PassDraft, shown: readonly Cue[]): { ok: true; request: PassRequestParams } | { ok: false; error: ApiError } {
  const character = draft.character.trim() || null;
  const name = draft.name.trim() ? { name: draft.name.trim() } : {};
  const base = { pass: draft.kind, character, ...name };
  switch (draft.over) {
    case 'scene':
      if (!draft.scene.trim()) return refuse('PASS_SCENE_NOT_FOUND', 'Choose the scene the pass covers.');
      return { ok: true, request: { ...base, scope: 'scene', scene: draft.scene.trim() } };
    case 'reel':
      if (!draft.reel.trim()) return refuse('PASS_REEL_NOT_FOUND', 'Choose the reel the pass covers.');
      return { ok: true, request: { ...base, scope: 'reel', reel: draft.reel.trim() } };
    case 'shown': {
      const events = shownPassEvents(shown, draft.kind, draft.character);
      if (events.length === 0) {
        const who = character ? ` of ${character}` : '';
        return refuse('PASS_EMPTY', `The cue list shows no ${FOLEY_PASS_LABELS[draft.kind].toLowerCase()} events${who}; filter it to the events the pass covers, or make it over a scene or a reel.`);
      }
      return { ok: true, request: { ...base, scope: 'selection', cueIds: events.map((cue) => cue.id) } };
    }
  }
}

function refuse(code: string, message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

/**
 * The pass's events a take covers: wholly inside what it recorded (the engine's rule when it files
 * the take). Nothing while it records or when it holds no audio.
 */
export function takeCovers(take: Pick<Take, 'status' | 'start' | 'length'>, events: readonly Pick<Cue, 'id' | 'in' | 'out'>[]): number[] {
  if (take.status === 'recording' || take.status === 'aborted' || take.length === 0) return [];
  return coveredEvents(events, take.start, take.length);
}

/** Every event some pass take with audio covers (from the project's own links). */
export function coveredByPasses(passes: readonly Pick<FoleyPassDto, 'coveredEventIds'>[]): ReadonlySet<number> {
  return new Set(passes.flatMap((pass) => pass.coveredEventIds));
}

/** "2 of 3", the events of a pass its takes cover. */
export function coverageText(pass: Pick<FoleyPassDto, 'eventIds' | 'coveredEventIds'>): string {
  return `${pass.coveredEventIds.length} of ${pass.eventIds.length}`;
}

/** A track template as the form shows it: inputs from 1 and names, comma-separated. */
export function templateDraftOf(template: PassTemplate | null): { inputs: string; names: string } {
  if (!template) return { inputs: '', names: '' };
  return { inputs: template.inputChannels.map((c) => c + 1).join(','), names: template.names.join(',') };
}

/** The template a form asks for: inputs 1,2,… (each once) and at most one name per input. */
export function templateOf(inputs: string, names: string): { ok: true; template: PassTemplate } | { ok: false; error: ApiError } {
  const parts = inputs.split(',').map((part) => part.trim()).filter(Boolean);
  if (parts.length === 0) return refuse('PASS_TEMPLATE_INVALID', 'Give the inputs the pass records, such as 1,2 (or Clear template to record the project’s inputs).');
  if (!parts.every((part) => /^\d+$/.test(part) && Number(part) >= 1)) return refuse('PASS_TEMPLATE_INVALID', `Inputs are numbers from 1, such as 1,2; not “${inputs.trim()}”.`);
  const channels = parts.map((part) => Number(part) - 1);
  if (new Set(channels).size !== channels.length) return refuse('PASS_TEMPLATE_INVALID', 'Each input can be recorded once; remove the repeated one.');
  const named = names.trim() === '' ? [] : names.split(',').map((name) => name.trim());
  if (named.length > channels.length) return refuse('PASS_TEMPLATE_INVALID', `${named.length} names for ${channels.length} inputs: name each input at most once.`);
  return { ok: true, template: { inputChannels: channels, names: named } };
}
