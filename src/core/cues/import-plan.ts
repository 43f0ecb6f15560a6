/**
 * The import preview: what an import will create, change and skip, computed before anything is
 * written. Re-importing an updated list merges by cue number (case-insensitive): the fields the
 * source carries replace the stored ones, and fields it does not carry (status, notes typed on the
 * stage…) are left alone. A plan with any error cannot be applied, so a failed import changes nothing.
 */
import {
  CUE_FIELD_NAMES,
  completeCueFields,
  type CharacterDraft,
  type Cue,
  type CueDraft,
  type CueFieldName,
  type CueFields,
  type ImportIssue,
  type ImportResult,
  type SceneDraft,
  type SourceRef,
} from './cue.js';
import { assignNumbers, type NumberingContext, type NumberingScheme } from './numbering.js';

export interface FieldChange {
  readonly field: CueFieldName;
  readonly from: unknown;
  readonly to: unknown;
}

export interface PlannedCreate {
  readonly fields: CueFields;
  readonly source?: SourceRef;
}

export interface PlannedUpdate {
  readonly id: number;
  readonly number: string;
  readonly changes: readonly FieldChange[];
  readonly source?: SourceRef;
}

export interface ImportPlan {
  readonly creates: readonly PlannedCreate[];
  readonly updates: readonly PlannedUpdate[];
  /** Cues the source lists exactly as they are stored. */
  readonly unchanged: readonly { number: string; source?: SourceRef }[];
  readonly characters: readonly CharacterDraft[];
  readonly reels: readonly string[];
  readonly scenes: { readonly create: readonly SceneDraft[]; readonly update: readonly SceneDraft[] };
  readonly issues: readonly ImportIssue[];
  readonly canApply: boolean;
}

export interface ProjectCueContext {
  readonly cues: readonly Cue[];
  readonly characters: readonly { name: string; prefix: string; actor: string }[];
  readonly reels: readonly { name: string; number: number | null }[];
  readonly scenes: readonly { number: string; description: string; in: number; out: number }[];
  readonly scheme: NumberingScheme;
  /** The project's reason codes; a source's reason matches a code or its label, in any case. */
  readonly reasonCodes?: readonly { code: string; label: string }[];
}

const key = (text: string) => text.trim().toLowerCase();

/** A reel's number for numbering: its stored number, or the digits in its name ("Reel 2" → 2). */
function reelNumberOf(name: string | null | undefined, reels: ProjectCueContext['reels']): number | null {
  if (!name) return null;
  const stored = reels.find((reel) => key(reel.name) === key(name));
  if (stored?.number !== null && stored?.number !== undefined) return stored.number;
  const digits = /\d+/.exec(name)?.[0];
  return digits ? Number(digits) : null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return a === b || (a === null && b === undefined) || (a === undefined && b === null);
}

/** The fields a draft sets: everything defined in it, names trimmed. */
function draftFields(draft: CueDraft): Partial<CueFields> {
  const fields: Record<string, unknown> = {};
  for (const name of CUE_FIELD_NAMES) {
    const value = (draft as unknown as Record<string, unknown>)[name];
    if (value === undefined || name === 'number') continue;
    fields[name] = typeof value === 'string' && ['reel', 'scene', 'character', 'reason'].includes(name) ? value.trim() || null : value;
  }
  return fields as Partial<CueFields>;
}

export function planImport(context: ProjectCueContext, result: ImportResult): ImportPlan {
  const issues: ImportIssue[] = [...result.issues];
  const byNumber = new Map(context.cues.map((cue) => [key(cue.number), cue]));
  const seen = new Map<string, SourceRef | undefined>();
  const creates: { draft: CueDraft; fields: CueFields }[] = [];
  const updates: PlannedUpdate[] = [];
  const unchanged: { number: string; source?: SourceRef }[] = [];

  const reasonByName = new Map<string, string>();
  for (const reason of context.reasonCodes ?? []) {
    reasonByName.set(key(reason.label), reason.code);
    reasonByName.set(key(reason.code), reason.code);
  }
  /** A reason the project does not know is kept in the notes, so nothing the source said is lost. */
  const withKnownReason = (draft: CueDraft): CueDraft => {
    if (!draft.reason?.trim() || !context.reasonCodes) return draft;
    const code = reasonByName.get(key(draft.reason));
    if (code) return { ...draft, reason: code };
    issues.push({
      severity: 'warning',
      code: 'IMPORT_REASON_UNKNOWN',
      message: `Reason "${draft.reason}" is not in this project's reason list, so it goes into the cue's notes; add it to the list and re-import to set it as the reason.`,
      file: draft.source?.file ?? '',
      line: draft.source?.line ?? 0,
    });
    const note = `Reason: ${draft.reason.trim()}`;
    return { ...draft, reason: null, notes: draft.notes ? `${draft.notes}\n${note}` : note };
  };

  for (const original of result.cues) {
    const draft = withKnownReason(original);
    const number = draft.number?.trim() || null;
    if (number !== null) {
      const earlier = seen.get(key(number));
      if (seen.has(key(number))) {
        issues.push({
          severity: 'error',
          code: 'IMPORT_DUPLICATE_NUMBER',
          message: `Cue number ${number} appears twice in this import (also on line ${earlier?.line ?? '?'}); give each cue its own number or remove one.`,
          file: draft.source?.file ?? '',
          line: draft.source?.line ?? 0,
          ...(draft.source?.column ? { column: draft.source.column } : {}),
        });
        continue;
      }
      seen.set(key(number), draft.source);
    }
    const stored = number === null ? undefined : byNumber.get(key(number));
    const fields = draftFields(draft);
    if (stored) {
      if (fields.kind && fields.kind !== stored.kind) {
        issues.push({
          severity: 'error',
          code: 'IMPORT_KIND_CHANGE',
          message: `Cue ${stored.number} is ${stored.kind === 'adr' ? 'an ADR line' : 'a Foley event'} in the project but ${fields.kind === 'adr' ? 'an ADR line' : 'a Foley event'} in this import; renumber one of them.`,
          file: draft.source?.file ?? '',
          line: draft.source?.line ?? 0,
        });
        continue;
      }
      const changes: FieldChange[] = [];
      for (const [field, to] of Object.entries(fields) as [CueFieldName, unknown][]) {
        const from = stored[field];
        const same = ['reel', 'scene', 'character', 'reason'].includes(field)
          ? key(String(from ?? '')) === key(String(to ?? ''))
          : sameValue(from, to);
        if (!same) changes.push({ field, from, to });
      }
      if (changes.length) updates.push({ id: stored.id, number: stored.number, changes, ...(draft.source ? { source: draft.source } : {}) });
      else unchanged.push({ number: stored.number, ...(draft.source ? { source: draft.source } : {}) });
    } else {
      creates.push({
        draft,
        fields: completeCueFields(fields, { kind: draft.kind, number: number ?? '', in: draft.in, out: draft.out }),
      });
    }
  }

  // Characters the cues name that the project lacks, with actors from the source where given.
  const knownCharacters = new Set(context.characters.map((c) => key(c.name)));
  const newCharacters = new Map<string, CharacterDraft>();
  const actorOf = new Map(result.characters.map((c) => [key(c.name), c]));
  const mention = (name: string | null | undefined) => {
    if (!name?.trim() || knownCharacters.has(key(name)) || newCharacters.has(key(name))) return;
    newCharacters.set(key(name), actorOf.get(key(name)) ?? { name: name.trim() });
  };
  result.characters.forEach((c) => mention(c.name));
  creates.forEach((c) => mention(c.fields.character));
  updates.forEach((u) => u.changes.filter((c) => c.field === 'character').forEach((c) => mention(c.to as string | null)));

  // Numbers for new cues without one, continuing the project's sequences.
  const unnumbered = creates.filter((c) => c.fields.number === '');
  const prefixes = new Map(context.characters.map((c) => [key(c.name), c.prefix]));
  const contexts: NumberingContext[] = unnumbered.map(({ fields }) => ({
    kind: fields.kind,
    prefix: fields.character ? (prefixes.get(key(fields.character)) ?? null) : null,
    characterName: fields.character,
    reelNumber: reelNumberOf(fields.reel, context.reels),
  }));
  const taken = [...context.cues.map((c) => c.number), ...creates.map((c) => c.fields.number).filter(Boolean)];
  const numbers = assignNumbers(contexts, context.scheme, taken);
  unnumbered.forEach((create, i) => {
    (create as { fields: CueFields }).fields = completeCueFields(create.fields, { ...create.fields, number: numbers[i]! });
  });

  const knownReels = new Set(context.reels.map((r) => key(r.name)));
  const reels = new Map<string, string>();
  for (const name of [...creates.map((c) => c.fields.reel), ...result.scenes.map((s) => s.reel)]) {
    if (name && !knownReels.has(key(name))) reels.set(key(name), name.trim());
  }

  const knownScenes = new Map(context.scenes.map((s) => [key(s.number), s]));
  const sceneCreate: SceneDraft[] = [];
  const sceneUpdate: SceneDraft[] = [];
  // Scenes the cues name that neither the project nor the source defines (a spreadsheet's Scene
  // column) are created spanning the cues that name them, and the preview says so.
  const defined = new Set(result.scenes.map((s) => key(s.number)));
  const spans = new Map<string, { number: string; in: number; out: number; reel: string | null; source?: SourceRef }>();
  const named = [
    ...creates.map((c) => ({ scene: c.fields.scene, in: c.fields.in, out: c.fields.out, reel: c.fields.reel, source: c.draft.source })),
    ...updates.flatMap((u) => u.changes.filter((c) => c.field === 'scene').map((c) => {
      const stored = context.cues.find((cue) => cue.id === u.id)!;
      return { scene: c.to as string | null, in: stored.in, out: stored.out, reel: stored.reel, source: u.source };
    })),
  ];
  for (const { scene, in: start, out: end, reel, source } of named) {
    if (!scene || knownScenes.has(key(scene)) || defined.has(key(scene))) continue;
    const span = spans.get(key(scene));
    if (span) spans.set(key(scene), { ...span, in: Math.min(span.in, start), out: Math.max(span.out, end) });
    else spans.set(key(scene), { number: scene, in: start, out: end, reel: reel ?? null, ...(source ? { source } : {}) });
  }
  for (const span of spans.values()) {
    sceneCreate.push(span);
    issues.push({
      severity: 'warning',
      code: 'IMPORT_SCENE_ADDED',
      message: `Scene ${span.number} is not in the project yet, so it will be added spanning the cues that name it; correct its range later if needed.`,
      file: span.source?.file ?? '',
      line: span.source?.line ?? 0,
    });
  }
  for (const scene of result.scenes) {
    const stored = knownScenes.get(key(scene.number));
    if (!stored) sceneCreate.push(scene);
    else if (stored.in !== scene.in || stored.out !== scene.out || (scene.description !== undefined && scene.description !== stored.description)) {
      sceneUpdate.push(scene);
    }
  }

  return {
    creates: creates.map(({ draft, fields }) => ({ fields, ...(draft.source ? { source: draft.source } : {}) })),
    updates,
    unchanged,
    characters: [...newCharacters.values()],
    reels: [...reels.values()],
    scenes: { create: sceneCreate, update: sceneUpdate },
    issues,
    canApply: !issues.some((issue) => issue.severity === 'error'),
  };
}
