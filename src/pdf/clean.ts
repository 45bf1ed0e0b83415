/**
 * Turns the raw text of each page into the text worth summarizing.
 *
 * Normalizes Unicode (NFKC: Arabic presentation forms become letters, ligatures and full-width
 * forms plain characters) and drops Arabic elongation strokes. Removes what every page repeats
 * (running heads and footers, per-page stamps), page-number lines, trial-version stamps, lines
 * of raw PDF drawing operators (what a damaged file's text layer can turn into), control
 * characters and bidi marks; joins words hyphenated across a line break; collapses runs of
 * spaces. Line breaks stay, a blank line separates paragraphs and pages. Every step is one pass
 * over the text, so the cost stays linear in its length.
 */

export interface CleanCounts {
  /** Lines dropped as running heads or footers: near the page edge on half the pages or more. */
  repeatedLines: number;
  /** Lines that held nothing but a page number ("12", "- 12 -", "Page 3 of 10", "xiv"). */
  pageNumbers: number;
  /** C0/C1 control characters, bidi marks and byte-order marks removed. */
  controlChars: number;
  /** Lines that matched a known trial or evaluation stamp. */
  stampLines: number;
  /** Lines made of PDF content-stream operators ("(New)Tj 30.7 0 Td"), not text. */
  junkLines: number;
}

export interface CleanedText {
  text: string;
  /**
   * Where each input page's text starts in `text`; a page that left no text gets the offset
   * where its text would have gone. Lets a caller that cuts `text` tell which pages it kept.
   */
  pageStarts: number[];
  removed: CleanCounts;
}

/** Below this many pages a line on "half the pages" is too weak a sign of a running head. */
const MIN_PAGES_FOR_REPEATS = 3;
/** A running head appears about once per page; more often than this on average, it is content. */
const MAX_REPEATS_PER_PAGE = 1.5;
/** Page numbers are only looked for this many lines from either end of a page. */
const PAGE_NUMBER_REACH = 2;
/** Running heads and footers are only looked for this many lines from either end of a page. */
const REPEAT_REACH = 3;

// Controls except tab and line feed, C1 controls, bidi marks and isolates, BOM/zero-width no-break.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const PAGE_WORD = String.raw`(?:(?:page|p\.|seite|pagina|página)\s*)?`;
const PAGE_DIGITS = String.raw`[-–—([]?\s*(?:\d{1,5}|[ivxlcdm]{1,7})\s*[-–—)\]]?`;
const PAGE_TOTAL = String.raw`(?:\s*(?:of|/|von|de)\s*\d{1,5})?`;
const PAGE_NUMBER = new RegExp(`^${PAGE_WORD}${PAGE_DIGITS}${PAGE_TOTAL}$`, 'i');
const STAMP_MAKER = String.raw`^(?:produced|created|generated|made|edited) (?:with|by|using)`;
const STAMP_KIND = String.raw`(?:an? )?(?:trial|evaluation|demo|unregistered) (?:version|copy)`;
const STAMPS = [
  new RegExp(String.raw`${STAMP_MAKER} ${STAMP_KIND}\b`, 'i'),
  /^(?:evaluation (?:only|copy|version)|trial version|unregistered version)\b.{0,40}$/i,
];
/** Text operators as they appear in a content stream: after a number, a string or an array. */
const OPERATOR = /(?:[)\]]|\d)\s*(?:Tj|TJ|Td|TD|Tf|Tm|Tc|Tw|Tz|TL|Ts|Tr|T\*)(?![\p{L}\d])/gu;
/** A line with this many operators is a leaked content stream; real prose never has two. */
const OPERATORS_PER_JUNK_LINE = 2;
/** Arabic tatweel: a stroke that stretches a word for justification, not a letter. */
const TATWEEL = /\u0640/g;
/** NFKC splits Thai and Lao SARA AM into NIKHAHIT + SARA AA; no one types them that way. */
const SPLIT_THAI_AM = /\u0e4d\u0e32/g;
const SPLIT_LAO_AM = /\u0ecd\u0eb2/g;
const HYPHEN_END = /\p{L}[-\u00ad\u2010]$/u;
const LOWER_START = /^\p{Ll}/u;

/** Cleans the pages of one document; `pages[i]` is the text of page i + 1 with `\n` line ends. */
export function cleanPages(pages: readonly string[]): CleanedText {
  const removed: CleanCounts = {
    repeatedLines: 0,
    pageNumbers: 0,
    controlChars: 0,
    stampLines: 0,
    junkLines: 0,
  };

  const split = pages.map((page) => splitLines(page, removed));
  const repeated = findRepeatedKeys(split);

  const out: string[] = [];
  const pageStarts: number[] = [];
  let length = 0; // of out.join('\n\n')
  for (const lines of split) {
    const text = joinLines(keepLines(lines, repeated, removed));
    const previous = out.at(-1);
    if (!text) {
      pageStarts.push(length);
      continue;
    }
    // A word hyphenated across a page break: join it and let the page run on.
    if (previous !== undefined && HYPHEN_END.test(previous) && LOWER_START.test(text)) {
      out[out.length - 1] = previous.slice(0, -1) + text;
      pageStarts.push(length - 1);
      length += text.length - 1;
    } else {
      const start = out.length === 0 ? 0 : length + 2;
      out.push(text);
      pageStarts.push(start);
      length = start + text.length;
    }
  }

  return { text: out.join('\n\n'), pageStarts, removed };
}

/** Normalizes, strips invisible characters, collapses spaces and trims; blank lines become ''. */
function splitLines(page: string, removed: CleanCounts): string[] {
  const normal = page
    .normalize('NFKC')
    .replace(TATWEEL, '')
    .replace(SPLIT_THAI_AM, '\u0e33')
    .replace(SPLIT_LAO_AM, '\u0eb3');
  const visible = normal.replace(/\r\n?/g, '\n').replace(INVISIBLE, () => {
    removed.controlChars++;
    return '';
  });
  return visible.split('\n').map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim());
}

/**
 * The comparison key for a line: case folded and, when the line has letters, with every run of
 * digits made equal, so "Chapter 2 · 17" and "Chapter 2 · 18" count as the same running head.
 */
function lineKey(line: string): string {
  const lower = line.toLowerCase();
  return /\p{L}/u.test(lower) ? lower.replace(/\d+/g, '#') : lower;
}

/**
 * Keys of running heads and footers: lines near the top or bottom of at least half of the
 * left-hand or of the right-hand pages (books alternate their heads), about once per page.
 * A line that recurs several times on the pages it is on (a table cell, an address in a list)
 * is content, even when it shows up on every page.
 */
function findRepeatedKeys(pages: readonly string[][]): Set<string> {
  const repeated = new Set<string>();
  if (pages.length < MIN_PAGES_FOR_REPEATS) return repeated;

  const seen = new Map<string, { odd: number; even: number; lines: number; lastPage: number }>();
  for (const [page, lines] of pages.entries()) {
    for (const line of edgeLines(lines, REPEAT_REACH)) {
      const key = lineKey(line);
      let entry = seen.get(key);
      if (!entry) {
        entry = { odd: 0, even: 0, lines: 0, lastPage: -1 };
        seen.set(key, entry);
      }
      entry.lines++;
      if (entry.lastPage === page) continue;
      entry.lastPage = page;
      if (page % 2 === 0) entry.odd++;
      else entry.even++;
    }
  }

  const oddNeeded = Math.max(2, Math.ceil(Math.ceil(pages.length / 2) / 2));
  const evenNeeded = Math.max(2, Math.ceil(Math.floor(pages.length / 2) / 2));
  for (const [key, entry] of seen) {
    const onPages = entry.odd + entry.even;
    if (entry.lines > onPages * MAX_REPEATS_PER_PAGE) continue;
    if (entry.odd >= oddNeeded || entry.even >= evenNeeded) repeated.add(key);
  }
  return repeated;
}

/** The non-blank lines within `reach` of the first or last non-blank line of a page. */
function edgeLines(lines: readonly string[], reach: number): string[] {
  const text = lines.filter((line) => line !== '');
  if (text.length <= 2 * reach) return text;
  return [...text.slice(0, reach), ...text.slice(-reach)];
}

function keepLines(
  lines: readonly string[],
  repeated: Set<string>,
  removed: CleanCounts,
): string[] {
  const total = lines.reduce((n, line) => (line ? n + 1 : n), 0);
  const kept: string[] = [];
  let rank = -1; // position of the current line among the page's non-blank lines

  for (const line of lines) {
    if (!line) {
      kept.push('');
      continue;
    }
    rank++;
    const fromEdge = Math.min(rank, total - 1 - rank);
    if (fromEdge < REPEAT_REACH && repeated.has(lineKey(line))) {
      removed.repeatedLines++;
    } else if (fromEdge < PAGE_NUMBER_REACH && PAGE_NUMBER.test(line)) {
      removed.pageNumbers++;
    } else if (line.length <= 120 && STAMPS.some((stamp) => stamp.test(line))) {
      removed.stampLines++;
    } else if (isOperatorJunk(line)) {
      removed.junkLines++;
    } else {
      kept.push(line);
    }
  }
  return kept;
}

function isOperatorJunk(line: string): boolean {
  return (line.match(OPERATOR)?.length ?? 0) >= OPERATORS_PER_JUNK_LINE;
}

/** Joins kept lines: hyphenated words are rejoined; blank runs become one paragraph break. */
function joinLines(lines: readonly string[]): string {
  const out: string[] = [];
  let blank = false;

  for (const line of lines) {
    if (!line) {
      blank = out.length > 0;
      continue;
    }
    const previous = out.at(-1);
    if (blank) {
      out.push('', line);
    } else if (previous !== undefined && HYPHEN_END.test(previous) && LOWER_START.test(line)) {
      out[out.length - 1] = previous.slice(0, -1) + line;
    } else {
      out.push(line);
    }
    blank = false;
  }
  return out.join('\n');
}
