/**
 * The cue list of the open project: spotting edits, undo and redo, numbering, imports (preview,
 * then one transaction) and exports. It keeps the cues in memory (an index) so listing and
 * filtering 10,000 cues stays well under a frame; every change goes through the store's journal.
 */
import { completeCueFields, type Cue, type CueFields } from '../../core/cues/cue.js';
import { CueIndex, compareCues, type CueFilter } from '../../core/cues/filter.js';
import { planImport, type ImportPlan } from '../../core/cues/import-plan.js';
import { assignNumbers, DEFAULT_NUMBERING, renumber, validateTemplate, type NumberingScheme } from '../../core/cues/numbering.js';
import { LoopstageError } from '../../core/errors.js';
import { safeFileName } from '../../core/files/safe-file-name.js';
import { parseFrameRate } from '../../core/time/index.js';
import type { CueFormats, ExportContext, ImportFormat, PdfLayout } from '../ports/cue-formats.js';
import type { ChangeSet, Character, CueChange, History, ReasonCode, Reel, Scene } from '../ports/cue-store.js';
import type { ProjectHandle, ProjectInfo } from '../ports/project-store.js';

export interface CueLists {
  readonly characters: readonly Character[];
  readonly reels: readonly Reel[];
  readonly scenes: readonly Scene[];
  readonly reasonCodes: readonly ReasonCode[];
  readonly numbering: NumberingScheme;
}

export interface CueChangeEvent extends ChangeSet {
  readonly history: History;
  readonly revision: number;
}

export interface ImportRequest {
  readonly fileName: string;
  readonly text: string;
  readonly format?: ImportFormat;
  readonly mapping?: readonly string[];
  readonly kind?: 'adr' | 'foley';
  /** EDL only: whether events become scenes (default) or shot changes. */
  readonly edlEvents?: 'scenes' | 'shots';
}

export interface ImportPreview {
  readonly id: string;
  readonly format: ImportFormat;
  readonly fileName: string;
  readonly columns: readonly { header: string; field: string | null }[];
  readonly plan: ImportPlan;
}

export type ExportFormat = 'csv' | 'tsv' | 'json' | 'pdf';

export interface ExportRequest {
  readonly format: ExportFormat;
  readonly filter?: CueFilter;
  /** PDF only: talent sides for this character instead of a cue sheet. */
  readonly sides?: string;
}

export interface ExportedFile {
  readonly fileName: string;
  readonly mimeType: string;
  readonly data: Uint8Array;
}

const NUMBERING_KEY = 'cues.numbering';
const mappingKey = (format: ImportFormat) => `import.mapping.${format}`;

export interface CueServiceDeps {
  readonly formats: CueFormats;
  readonly now: () => Date;
  readonly emit: (event: CueChangeEvent) => void;
}

export class CueService {
  readonly #index = new CueIndex();
  #handle: ProjectHandle | null = null;
  #info: ProjectInfo | null = null;
  #lists: CueLists = { characters: [], reels: [], scenes: [], reasonCodes: [], numbering: DEFAULT_NUMBERING };
  #history: History = { undo: null, redo: null };
  /** Bumped by every change, so a preview made before a change is not applied after it. */
  #revision = 0;
  #previews = new Map<string, { preview: ImportPreview; revision: number }>();
  #nextPreview = 1;

  constructor(private readonly deps: CueServiceDeps) {}

  async load(handle: ProjectHandle, info: ProjectInfo): Promise<void> {
    this.#handle = handle;
    this.#info = info;
    this.#index.replace(await handle.cues.listCues());
    await this.#reloadLists();
    this.#history = await handle.cues.history();
    this.#previews.clear();
    this.#revision++;
  }

  setInfo(info: ProjectInfo): void {
    this.#info = info;
  }

  unload(): void {
    this.#handle = null;
    this.#info = null;
    this.#index.replace([]);
    this.#previews.clear();
  }

  list(filter: CueFilter = {}): Cue[] {
    return this.#index.filter(filter);
  }

  /** The cue with this id; CUE_NOT_FOUND when there is none. */
  get(id: number): Cue {
    return this.#require(id);
  }

  /** The cue numbered `number` (case as typed or not); CUE_NOT_FOUND when there is none. */
  findByNumber(number: string): Cue {
    const wanted = number.trim().toLowerCase();
    const cue = this.#index.cues.find((c) => c.number.toLowerCase() === wanted);
    if (!cue) throw new LoopstageError('CUE_NOT_FOUND', `There is no cue numbered "${number}" in this project; \`loopstage cues list\` shows them.`, { number });
    return cue;
  }

  get lists(): CueLists {
    return this.#lists;
  }

  get history(): History {
    return this.#history;
  }

  get revision(): number {
    return this.#revision;
  }

  /** A new cue; without a number it gets the next one from the project's scheme. */
  async create(fields: Partial<CueFields> & Pick<CueFields, 'kind' | 'in' | 'out'>): Promise<CueChangeEvent> {
    const number = fields.number?.trim() || this.#nextNumbers([fields])[0]!;
    return this.#apply(`Add cue ${number}`, [{ type: 'create-cue', fields: completeCueFields({ ...fields, number }) }]);
  }

  async edit(id: number, patch: Partial<CueFields>): Promise<CueChangeEvent> {
    const cue = this.#require(id);
    const next = { ...cue, ...patch };
    if (next.out < next.in) {
      throw new LoopstageError('CUE_OUT_BEFORE_IN', `Cue ${cue.number}'s out point would come before its in point; set the in point first, or a later out point.`);
    }
    const fields = Object.keys(patch);
    const what = fields.length === 1 ? ` ${fields[0]}` : '';
    return this.#apply(`Edit ${cue.number}${what}`, [{ type: 'update-cue', id, patch }]);
  }

  async remove(ids: readonly number[]): Promise<CueChangeEvent> {
    const cues = ids.map((id) => this.#require(id));
    const label = cues.length === 1 ? `Delete ${cues[0]!.number}` : `Delete ${cues.length} cues`;
    return this.#apply(label, ids.map((id) => ({ type: 'delete-cue', id })));
  }

  async undo(): Promise<CueChangeEvent | null> {
    const set = await this.#requireHandle().cues.undo(this.deps.now());
    return set ? this.#changed(set) : null;
  }

  async redo(): Promise<CueChangeEvent | null> {
    const set = await this.#requireHandle().cues.redo(this.deps.now());
    return set ? this.#changed(set) : null;
  }

  async setNumbering(scheme: NumberingScheme): Promise<NumberingScheme> {
    validateTemplate(scheme.adr);
    validateTemplate(scheme.foley);
    await this.#requireHandle().setSetting(NUMBERING_KEY, scheme);
    this.#lists = { ...this.#lists, numbering: scheme };
    return scheme;
  }

  /** A character's name, actor, cue-number prefix or colour. */
  async updateCharacter(id: number, patch: Partial<Omit<Character, 'id'>>): Promise<CueChangeEvent> {
    const character = this.#lists.characters.find((c) => c.id === id);
    if (!character) throw new LoopstageError('CHARACTER_NOT_FOUND', 'That character no longer exists; reload the list.');
    return this.#apply(`Edit character ${character.name}`, [{ type: 'update-character', id, patch }]);
  }

  /** A reel's name, number, picture version, or where it starts on the timeline. */
  async updateReel(id: number, patch: Partial<Omit<Reel, 'id'>>): Promise<CueChangeEvent> {
    const reel = this.#lists.reels.find((r) => r.id === id);
    if (!reel) throw new LoopstageError('REEL_NOT_FOUND', 'That reel no longer exists; reload the list.');
    return this.#apply(`Edit reel ${reel.name}`, [{ type: 'update-reel', id, patch }]);
  }

  async addReason(code: string, label: string): Promise<CueChangeEvent> {
    return this.#apply(`Add reason ${label}`, [{ type: 'create-reason', fields: { code, label } }]);
  }

  async updateReason(id: number, patch: Partial<{ code: string; label: string }>): Promise<CueChangeEvent> {
    const reason = this.#requireReason(id);
    return this.#apply(`Edit reason ${reason.label}`, [{ type: 'update-reason', id, patch }]);
  }

  /** Removes a reason code; cues that used it lose it, and undo gives it back to them. */
  async removeReason(id: number): Promise<CueChangeEvent> {
    const reason = this.#requireReason(id);
    return this.#apply(`Remove reason ${reason.label}`, [{ type: 'delete-reason', id }]);
  }

  #requireReason(id: number): ReasonCode {
    const reason = this.#lists.reasonCodes.find((r) => r.id === id);
    if (!reason) throw new LoopstageError('REASON_NOT_FOUND', 'That reason code no longer exists; reload the list.');
    return reason;
  }

  /** Renumbers the filtered cues (all by default) in timeline order from the scheme: one undo step. */
  async renumber(filter: CueFilter = {}): Promise<CueChangeEvent> {
    const cues = this.list(filter).sort(compareCues);
    if (!cues.length) throw new LoopstageError('CUE_NONE_MATCH', 'No cues match the filter, so there is nothing to renumber.');
    const untouched = this.#index.cues.filter((cue) => !cues.includes(cue)).map((cue) => cue.number);
    const fresh = renumber(cues.map((cue) => this.#numberingContext(cue)), this.#lists.numbering);
    const clash = fresh.find((n) => untouched.some((u) => u.toLowerCase() === n.toLowerCase()));
    if (clash) {
      throw new LoopstageError('CUE_RENUMBER_CLASH', `Renumbering would give ${clash} to a second cue outside the filter; renumber all cues, or change the scheme.`);
    }
    // Two steps inside one action, so swapping numbers never trips the uniqueness of numbers.
    const changes: CueChange[] = [
      ...cues.map((cue) => ({ type: 'update-cue' as const, id: cue.id, patch: { number: `~${cue.id}` } })),
      ...cues.map((cue, i) => ({ type: 'update-cue' as const, id: cue.id, patch: { number: fresh[i]! } })),
    ];
    return this.#apply(`Renumber ${cues.length} cues`, changes);
  }

  /** Reads the file and plans the import without writing anything. */
  async previewImport(request: ImportRequest): Promise<ImportPreview> {
    const handle = this.#requireHandle();
    const info = this.#requireInfo();
    const format = request.format ?? this.deps.formats.detect(request.fileName, request.text);
    if (!format) {
      throw new LoopstageError('IMPORT_FORMAT_UNKNOWN', `Loopstage cannot tell what kind of list ${request.fileName} is; choose its format (csv, tsv, srt, vtt, edl, ptx or json).`);
    }
    const savedMapping = await handle.getSetting<Record<string, string>>(mappingKey(format));
    const read = this.deps.formats.read(format, request.text, {
      file: request.fileName,
      frameRate: parseFrameRate(info.frameRate),
      sampleRate: info.sampleRate,
      projectStart: info.start,
      ...(request.mapping ? { mapping: request.mapping } : {}),
      ...(savedMapping ? { savedMapping } : {}),
      ...(request.kind ? { kind: request.kind } : {}),
      ...(request.edlEvents ? { edlEvents: request.edlEvents } : {}),
    });
    const plan = planImport(
      {
        cues: this.#index.cues,
        characters: this.#lists.characters,
        reels: this.#lists.reels,
        scenes: this.#lists.scenes,
        scheme: this.#lists.numbering,
        reasonCodes: this.#lists.reasonCodes,
      },
      read.result,
    );
    const preview: ImportPreview = { id: `import-${this.#nextPreview++}`, format, fileName: request.fileName, columns: read.columns ?? [], plan };
    this.#previews.set(preview.id, { preview, revision: this.#revision });
    return preview;
  }

  /** Applies exactly what a preview showed, in one transaction, as one undo step. */
  async applyImport(previewId: string): Promise<CueChangeEvent> {
    const stored = this.#previews.get(previewId);
    if (!stored) throw new LoopstageError('IMPORT_PREVIEW_UNKNOWN', 'That import preview has expired; preview the file again.');
    if (stored.revision !== this.#revision) {
      throw new LoopstageError('IMPORT_STALE', 'The cue list changed since this preview was made; preview the file again so you see what the import will do.');
    }
    const { plan, fileName, columns, format } = stored.preview;
    if (!plan.canApply) {
      const first = plan.issues.find((issue) => issue.severity === 'error')!;
      throw new LoopstageError('IMPORT_HAS_ERRORS', `${fileName} has ${plan.issues.filter((i) => i.severity === 'error').length} error(s), first at line ${first.line}: ${first.message} Nothing was imported.`);
    }
    const changes: CueChange[] = [
      ...plan.characters.map((c) => ({ type: 'create-character' as const, fields: { name: c.name, actor: c.actor ?? '', prefix: c.prefix ?? '' } })),
      ...plan.reels.map((name) => ({ type: 'create-reel' as const, fields: { name, number: /\d+/.test(name) ? Number(/\d+/.exec(name)![0]) : null } })),
      ...plan.scenes.create.map((s) => ({ type: 'create-scene' as const, fields: { number: s.number, description: s.description ?? '', reel: s.reel ?? null, in: s.in, out: s.out } })),
      ...plan.scenes.update.map((s) => ({ type: 'update-scene' as const, number: s.number, patch: { in: s.in, out: s.out, ...(s.description !== undefined ? { description: s.description } : {}) } })),
      ...plan.creates.map((c) => ({ type: 'create-cue' as const, fields: c.fields })),
      ...plan.updates.map((u) => ({ type: 'update-cue' as const, id: u.id, patch: Object.fromEntries(u.changes.map((c) => [c.field, c.to])) as Partial<CueFields> })),
    ];
    this.#previews.delete(previewId);
    const event = await this.#apply(`Import ${fileName}`, changes);
    if (columns.length && (format === 'csv' || format === 'tsv')) {
      // The mapping that worked is remembered for this project's next list of the same shape.
      const mapping = Object.fromEntries(columns.filter((c) => c.field).map((c) => [c.header, c.field!]));
      await this.#requireHandle().setSetting(mappingKey(format), mapping);
    }
    return event;
  }

  async export(request: ExportRequest): Promise<ExportedFile> {
    const info = this.#requireInfo();
    const context: ExportContext = {
      title: info.title,
      frameRate: parseFrameRate(info.frameRate),
      sampleRate: info.sampleRate,
      characters: this.#lists.characters,
      scenes: this.#lists.scenes,
      reasonCodes: this.#lists.reasonCodes,
      made: this.deps.now(),
    };
    const filter: CueFilter = { ...request.filter, ...(request.sides ? { character: request.sides, kind: 'adr' as const } : {}) };
    const cues = this.list(filter);
    const base = safeFileName(info.title);
    switch (request.format) {
      case 'csv':
      case 'tsv': {
        const text = this.deps.formats.writeCsv(cues, context, request.format === 'csv' ? ',' : '\t');
        return { fileName: `${base} cues.${request.format}`, mimeType: request.format === 'csv' ? 'text/csv' : 'text/tab-separated-values', data: new TextEncoder().encode(text) };
      }
      case 'json':
        return { fileName: `${base} cues.json`, mimeType: 'application/json', data: new TextEncoder().encode(this.deps.formats.writeJson(cues, context)) };
      case 'pdf': {
        let layout: PdfLayout = filter.kind === 'foley' ? 'foley-sheet' : 'adr-sheet';
        if (request.sides) {
          const known = this.#lists.characters.find((c) => c.name.toLowerCase() === request.sides!.toLowerCase());
          if (!known) throw new LoopstageError('CUE_CHARACTER_UNKNOWN', `There is no character "${request.sides}" in this project; check the spelling (\`loopstage cues list\` shows the characters).`);
          layout = 'sides';
        }
        const data = await this.deps.formats.writePdf(layout, cues, { ...context, ...(request.sides ? { character: request.sides } : {}) });
        const name = layout === 'sides' ? `${base} sides ${safeFileName(request.sides!)}` : layout === 'foley-sheet' ? `${base} Foley cue sheet` : `${base} ADR cue sheet`;
        return { fileName: `${name}.pdf`, mimeType: 'application/pdf', data };
      }
    }
  }

  async #apply(label: string, changes: readonly CueChange[]): Promise<CueChangeEvent> {
    const set = await this.#requireHandle().cues.apply(label, changes, this.deps.now());
    return this.#changed(set);
  }

  async #changed(set: ChangeSet): Promise<CueChangeEvent> {
    const handle = this.#requireHandle();
    // A new (or restored) cue belongs to the picture it sits on.
    if (set.cues.length > 0 || set.cuesStale) await handle.pictures.assignCues();
    if (set.cuesStale) this.#index.replace(await handle.cues.listCues());
    else this.#index.update(set.cues, set.removedCueIds);
    if (set.listsChanged) await this.#reloadLists();
    this.#history = await handle.cues.history();
    this.#revision++;
    const event: CueChangeEvent = { ...set, history: this.#history, revision: this.#revision };
    this.deps.emit(event);
    return event;
  }

  async #reloadLists(): Promise<void> {
    const handle = this.#requireHandle();
    const [characters, reels, scenes, reasonCodes, numbering] = await Promise.all([
      handle.cues.listCharacters(),
      handle.cues.listReels(),
      handle.cues.listScenes(),
      handle.cues.listReasonCodes(),
      handle.getSetting<NumberingScheme>(NUMBERING_KEY),
    ]);
    this.#lists = { characters, reels, scenes, reasonCodes, numbering: numbering ?? DEFAULT_NUMBERING };
  }

  #numberingContext(cue: Pick<CueFields, 'kind' | 'character' | 'reel'>) {
    const character = cue.character ? this.#lists.characters.find((c) => c.name.toLowerCase() === cue.character!.toLowerCase()) : undefined;
    const reel = cue.reel ? this.#lists.reels.find((r) => r.name.toLowerCase() === cue.reel!.toLowerCase()) : undefined;
    const digits = cue.reel ? /\d+/.exec(cue.reel)?.[0] : undefined;
    return {
      kind: cue.kind,
      prefix: character?.prefix || null,
      characterName: cue.character ?? null,
      reelNumber: reel?.number ?? (digits ? Number(digits) : null),
    };
  }

  #nextNumbers(cues: readonly Partial<CueFields>[]): string[] {
    return assignNumbers(
      cues.map((cue) => this.#numberingContext({ kind: cue.kind ?? 'adr', character: cue.character ?? null, reel: cue.reel ?? null })),
      this.#lists.numbering,
      this.#index.cues.map((cue) => cue.number),
    );
  }

  #require(id: number): Cue {
    const cue = this.#index.cues.find((c) => c.id === id);
    if (!cue) throw new LoopstageError('CUE_NOT_FOUND', 'That cue no longer exists (it may have been deleted or undone); reload the list.');
    return cue;
  }

  #requireHandle(): ProjectHandle {
    if (!this.#handle) throw new LoopstageError('PROJECT_NONE_OPEN', 'No project is open; open or create one first.');
    return this.#handle;
  }

  #requireInfo(): ProjectInfo {
    if (!this.#info) throw new LoopstageError('PROJECT_NONE_OPEN', 'No project is open; open or create one first.');
    return this.#info;
  }
}
