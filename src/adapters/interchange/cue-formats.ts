/**
 * The CueFormats port: one place that knows every interchange format, dispatching to the readers
 * (hand-written EDL and Pro Tools parsers in core; CSV, subtitles and JSON through their libraries
 * here) and the writers (CSV/TSV, Loopstage JSON, PDF sheets).
 */
import type { Cue, CueDraft } from '../../core/cues/cue.js';
import { parseEdl } from '../../core/interchange/edl.js';
import { parseProToolsText } from '../../core/interchange/protools-text.js';
import type { CueFormats, ExportContext, ImportFormat, PdfLayout, ReadOptions, ReadResult } from '../../engine/ports/cue-formats.js';
import { cuesToCsv } from './csv-export.js';
import { readCueTable } from './csv.js';
import { readLoopstageJson, writeLoopstageJson } from './loopstage-json.js';
import { writeCuePdf } from './pdf-sheets.js';
import { importSubtitles } from './subtitles.js';

const BY_EXTENSION: Record<string, ImportFormat> = {
  csv: 'csv', tsv: 'tsv', tab: 'tsv', srt: 'srt', vtt: 'vtt', edl: 'edl', json: 'json',
};

/** A stored cue as a draft (everything set), for writers that work on drafts. */
function toDraft(cue: Cue): CueDraft {
  const { id: _id, updatedAt: _updated, doneAt: _done, ...fields } = cue;
  return fields;
}

export class CueFileFormats implements CueFormats {
  detect(fileName: string, text: string): ImportFormat | null {
    const head = text.replace(/^\uFEFF/, '').slice(0, 4096);
    if (/^WEBVTT/.test(head)) return 'vtt';
    if (/^\s*\{[\s\S]*"format"\s*:\s*"loopstage-cues"/.test(head)) return 'json';
    if (/^SESSION NAME:\t/m.test(head)) return 'ptx';
    if (/^TITLE:/m.test(head) && /^\d{3,}\s+\S+\s+\S+\s+[CDWK]/m.test(head)) return 'edl';
    const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase();
    if (extension && BY_EXTENSION[extension]) return BY_EXTENSION[extension];
    if (/^\d+\r?\n\d{2}:\d{2}:\d{2},\d{3} --> /m.test(head)) return 'srt';
    if (extension === 'txt') {
      const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
      if (firstLine.includes('\t')) return 'tsv';
      if (firstLine.includes(',')) return 'csv';
    }
    return null;
  }

  read(format: ImportFormat, text: string, options: ReadOptions): ReadResult {
    const { file, frameRate, sampleRate, projectStart } = options;
    switch (format) {
      case 'csv':
      case 'tsv': {
        // A mapping saved for this project comes first; what the user typed this time overrides it.
        const read = readCueTable(text, {
          file,
          delimiter: format === 'tsv' ? '\t' : 'auto',
          frameRate,
          sampleRate,
          ...(options.kind ? { kind: options.kind } : {}),
          ...(options.savedMapping ? { savedMapping: options.savedMapping } : {}),
          ...(options.mapping ? { mapping: options.mapping } : {}),
        });
        return { result: read.result, columns: read.columns };
      }
      case 'srt':
      case 'vtt':
        return { result: importSubtitles(format, text, { file, sampleRate, projectStart }).result };
      case 'edl':
        return { result: parseEdl(text, { file, frameRate, sampleRate, ...(options.kind ? { kind: options.kind } : {}), ...(options.edlEvents ? { eventsAs: options.edlEvents } : {}) }) };
      case 'ptx': {
        const { session: _session, ...result } = parseProToolsText(text, { file, sampleRate, frameRate, ...(options.kind ? { kind: options.kind } : {}) });
        return { result };
      }
      case 'json':
        return { result: readLoopstageJson(text, { file }) };
    }
  }

  writeCsv(cues: readonly Cue[], context: ExportContext, delimiter: ',' | '\t'): string {
    return cuesToCsv(cues.map(toDraft), {
      frameRate: context.frameRate,
      sampleRate: context.sampleRate,
      delimiter,
      characters: context.characters.map((c) => ({ name: c.name, actor: c.actor, prefix: c.prefix })),
      bom: delimiter === ',',
    });
  }

  writeJson(cues: readonly Cue[], context: ExportContext): string {
    const names = new Set(cues.map((cue) => cue.character?.toLocaleLowerCase()).filter(Boolean));
    const scenes = new Set(cues.map((cue) => cue.scene?.toLocaleLowerCase()).filter(Boolean));
    return writeLoopstageJson(
      {
        cues: cues.map(toDraft),
        characters: context.characters.filter((c) => names.has(c.name.toLocaleLowerCase())).map((c) => ({ name: c.name, actor: c.actor, prefix: c.prefix })),
        scenes: context.scenes.filter((s) => scenes.has(s.number.toLocaleLowerCase())).map((s) => ({ number: s.number, description: s.description, reel: s.reel, in: s.in, out: s.out })),
      },
      { frameRate: context.frameRate, sampleRate: context.sampleRate },
    );
  }

  writePdf(layout: PdfLayout, cues: readonly Cue[], context: ExportContext & { character?: string }): Promise<Uint8Array> {
    return writeCuePdf(layout, cues, context);
  }
}
