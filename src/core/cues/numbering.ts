/**
 * Cue numbering from a per-project scheme: a template per kind with `{prefix}` (the character's
 * prefix, or the first letter of its name), `{reel}` (the reel number, or nothing) and `{seq:NN}`
 * (a sequence counted per prefix and reel, zero-padded to NN digits). `R101` is `{prefix}{reel}{seq:02}`
 * for Robin in reel 1, first line.
 */
import { LoopstageError } from '../errors.js';
import type { CueKind } from './cue.js';

export interface NumberingScheme {
  readonly adr: string;
  readonly foley: string;
}

export const DEFAULT_NUMBERING: NumberingScheme = { adr: '{prefix}{reel}{seq:02}', foley: 'F{reel}{seq:03}' };

export interface NumberingContext {
  readonly kind: CueKind;
  /** The character's prefix if it has one. */
  readonly prefix?: string | null;
  readonly characterName?: string | null;
  readonly reelNumber?: number | null;
}

const TOKEN = /\{(prefix|reel|seq)(?::(\d{1,2}))?\}/g;

export function validateTemplate(template: string): void {
  const stripped = template.replace(TOKEN, '');
  const seqCount = [...template.matchAll(TOKEN)].filter((m) => m[1] === 'seq').length;
  if (seqCount !== 1 || /[{}]/.test(stripped) || template.length > 40) {
    throw new LoopstageError(
      'CUE_SCHEME_INVALID',
      `The numbering template "${template}" is not valid: it needs exactly one {seq} or {seq:NN} and may use {prefix} and {reel}, e.g. {prefix}{reel}{seq:02}.`,
      { template },
    );
  }
}

function prefixOf(context: NumberingContext): string {
  if (context.prefix) return context.prefix;
  const letter = context.characterName?.trim().match(/\p{L}/u)?.[0];
  return letter ? letter.toLocaleUpperCase() : context.kind === 'adr' ? 'X' : '';
}

function render(template: string, context: NumberingContext, seq: number | null): string {
  return template.replace(TOKEN, (_all, token: string, width?: string) => {
    if (token === 'prefix') return prefixOf(context);
    if (token === 'reel') return context.reelNumber === null || context.reelNumber === undefined ? '' : String(context.reelNumber);
    return seq === null ? '\u0000' : String(seq).padStart(Number(width ?? 1), '0');
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Numbers for new cues, in the order given, continuing each prefix-and-reel sequence after the
 * highest number already taken, and never reusing a taken number.
 */
export function assignNumbers(contexts: readonly NumberingContext[], scheme: NumberingScheme, taken: Iterable<string>): string[] {
  validateTemplate(scheme.adr);
  validateTemplate(scheme.foley);
  const used = new Set([...taken].map((n) => n.toLowerCase()));
  const next = new Map<string, number>();
  return contexts.map((context) => {
    const template = context.kind === 'adr' ? scheme.adr : scheme.foley;
    const stem = render(template, context, null);
    let seq = next.get(stem);
    if (seq === undefined) {
      const [before, after] = stem.split('\u0000') as [string, string];
      const pattern = new RegExp(`^${escapeRegExp(before.toLowerCase())}(\\d+)${escapeRegExp(after.toLowerCase())}$`);
      seq = 0;
      for (const number of used) {
        const match = pattern.exec(number);
        if (match) seq = Math.max(seq, Number(match[1]));
      }
    }
    let number: string;
    do {
      seq++;
      number = render(template, context, seq);
    } while (used.has(number.toLowerCase()));
    next.set(stem, seq);
    used.add(number.toLowerCase());
    return number;
  });
}

/** Renumbering: every cue gets a fresh number from the scheme, sequences restarting at 1. */
export function renumber(contexts: readonly NumberingContext[], scheme: NumberingScheme): string[] {
  return assignNumbers(contexts, scheme, []);
}
