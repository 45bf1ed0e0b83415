/**
 * Takes each evaluation document's own summary (and its translations) out of the text the
 * summarizers get, as MANIFEST.tsv's `remove_from_input` says, so that ROUGE does not reward
 * copying the abstract.
 *
 * The MANIFEST states its boundaries in words; {@link CUTS} restates them as markers in the text
 * the bridge's own extraction gives, where pages are separated by a blank line. A marker is
 * matched with any run of white space standing for a space, case included. Every marker must be
 * found, or the evaluation stops, naming the file and the marker.
 */

export interface Cut {
  /**
   * Where the removed text starts: the first match of each marker in turn, each after the one
   * before. Omitted: the start of the text, or of `page`.
   */
  from?: string | string[];
  /**
   * Where the kept text resumes: the first match of each marker in turn, after `from`.
   * Omitted: the end of `page`, or of the text.
   */
  to?: string | string[];
  /** Look for `from` on this page only (from 1); without `to`, remove up to the page's end. */
  page?: number;
}

const ABSTRACT_TO_INTRO: Cut[] = [{ from: 'Abstract', to: '1 Introduction', page: 1 }];
/** The whole syllabus, up to the first page of the opinion itself. */
const SYLLABUS: Cut[] = [{ to: ['delivered the opinion', 'Opinion of the Court'] }];

export const CUTS: Record<string, Cut[]> = {
  e001: [{ from: 'Abstract', to: 'Introduction', page: 1 }],
  e002: [{ from: 'Abstract', to: 'Keywords:', page: 1 }],
  e003: [{ from: 'Abstract', to: 'Key words:', page: 1 }],
  e004: [{ from: 'ABSTRACT', to: 'Key words:', page: 1 }],
  e006: [{ from: 'Abstract', to: 'Introduction', page: 1 }],
  e007: [{ from: 'Abstract:', page: 1 }],
  e008: [{ from: 'Abstract.', to: '1. Introduction', page: 1 }],
  e009: [{ from: 'Abstract—', to: 'Index Terms—', page: 1 }],
  e010: [
    { from: 'ABSTRACT', to: 'KEYWORDS:', page: 1 },
    { from: 'Diferenciação da diversidade', to: 'PALAVRAS-CHAVE:', page: 1 },
  ],
  e012: [
    { from: 'Abstract', to: 'Keywords:', page: 1 },
    { from: 'Resumo', to: 'Palavras-chave:', page: 1 },
  ],
  e013: [
    { from: 'Abstract', to: 'Keywords:', page: 1 },
    { from: 'Resumo', to: 'Palavras-chave:', page: 1 },
  ],
  e014: ABSTRACT_TO_INTRO,
  e015: ABSTRACT_TO_INTRO,
  e016: ABSTRACT_TO_INTRO,
  e017: ABSTRACT_TO_INTRO,
  e018: ABSTRACT_TO_INTRO,
  e020: [{ from: 'Abstract.', to: 'Keywords:', page: 1 }],
  e021: [{ from: 'Abstract—', to: 'I. INTRODUCTION', page: 1 }],
  e022: ABSTRACT_TO_INTRO,
  e024: ABSTRACT_TO_INTRO,
  e025: [{ from: 'Abstract', to: 'Categories and Subject Descriptors', page: 1 }],
  e026: [{ from: 'ABSTRACT', to: 'CCS CONCEPTS', page: 1 }],
  e027: [
    { from: 'Résumé.', to: '1 Introduction', page: 1 },
    { from: 'Summary In this paper, we propose', page: 12 },
  ],
  e028: [
    { from: 'Resumo', to: 'Palavras-chave:', page: 1 },
    { from: 'Abstract', to: 'Keywords:', page: 2 },
  ],
  e030: [
    { from: 'Resumen', to: 'Palabras-clave:', page: 1 },
    { from: 'Abstract', to: 'Keywords:', page: 1 },
  ],
  e031: [
    { from: 'ABSTRACT –', to: 'Keywords:', page: 1 },
    { from: 'RESUMO –', to: 'Palavras-chave:', page: 1 },
  ],
  e032: [{ from: 'SUMMARY:', to: 'DATES:', page: 1 }, { from: 'BILLING CODE 4910–13–P' }],
  e033: SYLLABUS,
  e034: SYLLABUS,
  e036: SYLLABUS,
  e037: [{ page: 2 }],
};

/** The text without the spans `cuts` name. Throws if a marker is not where it should be. */
export function removeReference(id: string, text: string, pageStarts: number[]): string {
  const cuts = CUTS[id];
  if (!cuts) throw new Error(`no removal rule for ${id}; add one to scripts/eval/removal.ts`);
  const pages = pageSpans(text, pageStarts);
  const spans = cuts.map((cut) => spanOf(id, text, pages, cut));
  spans.sort((a, b) => a[0] - b[0]);

  let kept = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (start > at) kept += text.slice(at, start);
    at = Math.max(at, end);
  }
  return (kept + text.slice(at)).replace(/\n{3,}/g, '\n\n').trim();
}

function spanOf(
  id: string,
  text: string,
  pages: Array<[number, number]>,
  cut: Cut,
): [number, number] {
  const page = cut.page === undefined ? undefined : pages[cut.page - 1];
  if (cut.page !== undefined && !page) throw new Error(`${id}: there is no page ${cut.page}`);
  const [pageStart, pageEnd] = page ?? [0, text.length];

  let start = pageStart;
  for (const marker of markers(cut.from)) {
    start = find(id, text, marker, start, page ? pageEnd : text.length).start;
  }
  let end = page ? pageEnd : text.length;
  if (cut.to !== undefined) {
    let from = start + 1;
    for (const marker of markers(cut.to)) {
      const found = find(id, text, marker, from, text.length);
      end = found.start;
      from = found.end;
    }
  }
  return [start, end];
}

function markers(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function find(
  id: string,
  text: string,
  marker: string,
  from: number,
  until: number,
): { start: number; end: number } {
  const pattern = new RegExp(marker.split(/\s+/).map(escape).join('\\s+'), 'gu');
  pattern.lastIndex = from;
  const match = pattern.exec(text);
  if (!match || match.index >= until) {
    throw new Error(`${id}: expected "${marker}" after character ${from}, found none`);
  }
  return { start: match.index, end: match.index + match[0].length };
}

/** Start and end of each page: the extracted text separates pages with a blank line. */
/** Each page's [start, end) in the text, from where the extractor says pages begin. */
function pageSpans(text: string, pageStarts: number[]): Array<[number, number]> {
  return pageStarts.map((start, index) => [start, pageStarts[index + 1] ?? text.length]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
