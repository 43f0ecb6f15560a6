/**
 * Foley passes: one kind of Foley (feet, props, cloth, moves, specifics) performed free-running
 * across a range — a scene, a reel, or a selection of events — rather than event by event. A pass
 * take is filed against the pass and linked to every event it covers.
 *
 * Pure: which events a pass holds, the range it rolls over, its name, and which events a take
 * covers (wholly inside what it recorded).
 */
import { LoopstageError } from '../errors.js';
import { FOLEY_PASS_LABELS, type Cue, type FoleyPass } from '../cues/cue.js';

export type PassScope = 'scene' | 'reel' | 'selection';

export interface PassRequest {
  readonly pass: FoleyPass;
  /** Feet are performed per character; null takes every character's events of the pass. */
  readonly character: string | null;
  readonly scope: PassScope;
  /** The scene's number (scope 'scene'). */
  readonly scene?: string;
  /** The reel's name (scope 'reel'). */
  readonly reel?: string;
  /** The events (scope 'selection'). */
  readonly cueIds?: readonly number[];
}

export interface PassPlan {
  readonly events: readonly Cue[];
  /** Timeline samples: the pass's first sample and the first sample after it. */
  readonly in: number;
  readonly out: number;
  readonly name: string;
}

export interface SceneSpan {
  readonly number: string;
  readonly in: number;
  readonly out: number;
}

function refuse(code: string, message: string, details: Record<string, unknown> = {}): LoopstageError {
  return new LoopstageError(code, message, details);
}

const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/**
 * The events a pass covers and its range. A scene pass covers the scene's whole span (the artist
 * performs the scene, events or not); a reel or selection pass runs from its first event's in
 * point to its last event's out point.
 */
export function planPass(cues: readonly Cue[], request: PassRequest, scenes: readonly SceneSpan[] = []): PassPlan {
  const label = FOLEY_PASS_LABELS[request.pass];
  const ofPass = (cue: Cue) => cue.kind === 'foley' && cue.pass === request.pass && (request.character === null || same(cue.character, request.character));
  let events: Cue[];
  let span: { in: number; out: number } | null = null;
  let where: string;
  switch (request.scope) {
    case 'scene': {
      const scene = scenes.find((s) => same(s.number, request.scene));
      if (!request.scene || !scene) throw refuse('PASS_SCENE_NOT_FOUND', `There is no scene ${request.scene ?? '(none given)'} in this project; choose a scene from the list.`, { scene: request.scene });
      events = cues.filter((cue) => ofPass(cue) && same(cue.scene, scene.number));
      span = scene.out > scene.in ? { in: scene.in, out: scene.out } : null;
      where = `sc ${scene.number}`;
      break;
    }
    case 'reel': {
      if (!request.reel) throw refuse('PASS_REEL_NOT_FOUND', 'Say which reel the pass covers.');
      events = cues.filter((cue) => ofPass(cue) && same(cue.reel, request.reel));
      where = `reel ${request.reel}`;
      break;
    }
    case 'selection': {
      const ids = new Set(request.cueIds ?? []);
      events = cues.filter((cue) => ids.has(cue.id));
      const missing = [...ids].filter((id) => !events.some((cue) => cue.id === id));
      if (missing.length > 0) throw refuse('CUE_NOT_FOUND', `${missing.length === 1 ? 'A selected event is' : `${missing.length} selected events are`} not in this project any more; reload the cue list and select again.`, { cueIds: missing });
      const notFoley = events.find((cue) => cue.kind !== 'foley');
      if (notFoley) throw refuse('PASS_NOT_FOLEY', `${notFoley.number} is an ADR line, not a Foley event; a Foley pass holds Foley events only.`, { cueId: notFoley.id });
      where = events.length > 0 ? `${[...events].sort(byIn)[0]!.number}–${[...events].sort(byIn).at(-1)!.number}` : 'selection';
      break;
    }
  }
  events.sort(byIn);
  if (events.length === 0 && span === null) {
    const who = request.character ? ` for ${request.character}` : '';
    throw refuse('PASS_EMPTY', `There are no ${label.toLowerCase()} events${who} in ${where}; spot some first, or choose another ${request.scope}.`, { pass: request.pass, scope: request.scope });
  }
  if (span === null) span = { in: Math.min(...events.map((e) => e.in)), out: Math.max(...events.map((e) => e.out)) };
  if (span.out <= span.in) span = { in: span.in, out: span.in + 1 };
  const name = [label, request.character ?? '', where].filter(Boolean).join(' ');
  return { events, in: span.in, out: span.out, name };
}

function byIn(a: Cue, b: Cue): number {
  return a.in - b.in || a.number.localeCompare(b.number);
}

/** The events a take covers: those wholly inside the samples it recorded, [start, start + length). */
export function coveredEvents(events: readonly { readonly id: number; readonly in: number; readonly out: number }[], start: number, length: number): number[] {
  const end = start + length;
  return events.filter((event) => event.in >= start && Math.max(event.out, event.in + 1) <= end).map((event) => event.id);
}
