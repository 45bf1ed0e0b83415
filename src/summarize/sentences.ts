/**
 * Splits extracted PDF text into sentences, for Latin, CJK, Thai-like and right-to-left scripts.
 *
 * PDF text arrives hard-wrapped: lines inside a paragraph are joined again (undoing a hyphen at a
 * line end before a lower-case letter), blank lines separate paragraphs, and a short line
 * without end punctuation followed by a capital is taken as a heading of its own.
 */
import { hasUnspacedScript } from './tokenize.js';

export interface Sentence {
  text: string;
  /** Position among all sentences of the text, from 0. */
  index: number;
  /** Whether the sentence opens a paragraph (or stands alone, like a heading). */
  paragraphStart: boolean;
  /** Whether it ends with sentence punctuation; headings and table rows do not. */
  terminated: boolean;
  /** Whether it came from a line laid out in columns (tabs or wide gaps): a table row. */
  tabular: boolean;
  /** Which blank-line-separated block it is in, from 0: extracted PDF text has one per page. */
  block: number;
}

interface Segment {
  text: string;
  tabular: boolean;
}

/** Sentences longer than this are cut at a clause or word boundary. */
const MAX_SENTENCE_CHARS = 600;
/** Pieces of a space-separated Thai-like paragraph shorter than this join the next piece. */
const MIN_UNSPACED_PIECE = 40;

/** Ends a sentence wherever it appears: CJK, Devanagari, Myanmar, Khmer, Ethiopic, Arabic. */
const STRONG_END = '。！？｡।॥။។።؟۔‼⁇';
const END_RUN = new RegExp(`[.!?…${STRONG_END}]+["'”’»)\\]」』】）]*`, 'gu');
const STRONG = new RegExp(`[${STRONG_END}]`, 'u');
const TERMINATED = new RegExp(`[.!?…${STRONG_END}]["'”’»)\\]」』】）]*$`, 'u');
/** Two or more column gaps (a tab, or three spaces between words) on one line. */
const TABLE_ROW = /\S(?:\t|\s{3,})\S.*\S(?:\t|\s{3,})\S/u;
const LOWER_START = /^\s*\p{Ll}/u;
const WORD_BEFORE = /(\S+)$/u;
const THAI_SCRIPTS = '\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';
const WIDE = new RegExp(
  '[\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}' +
    '\\u3000-\\u303f\\uff00-\\uffef]',
  'u',
);
const THAI_LIKE = new RegExp(`[${THAI_SCRIPTS}]`, 'u');
const THAI_SPACE = new RegExp(`(?<=[${THAI_SCRIPTS}])\\s+(?=[${THAI_SCRIPTS}])`, 'u');

/** Words whose period does not end a sentence, lower-cased, without the period. */
const ABBREVIATIONS = new Set(
  (
    'mr mrs ms dr prof sr jr st mt vs v cf al etc e.g i.e approx ca esp fig figs eq eqs ' +
    'no nos vol vols ch chap sec secs art arts pp p ed eds rev dept inc ltd co corp ' +
    'jan feb mar apr jun jul aug sep sept oct nov dec gen gov sen rep ref refs resp ' +
    'est min max avg tab nr bzw z.b d.h usw sra dra núm pág cap av'
  ).split(' '),
);

export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  const clean = text
    .replace(/\r\n?/g, '\n')
    .replace(/\f/g, '\n\n')
    .replace(/\u00ad/g, '');

  for (const [blockIndex, block] of clean.split(/\n[ \t]*\n\s*/).entries()) {
    for (const segment of segments(block)) {
      let first = true;
      for (const piece of splitSegment(segment.text)) {
        const trimmed = piece.trim();
        if (!trimmed) continue;
        sentences.push({
          text: trimmed,
          index: sentences.length,
          paragraphStart: first,
          terminated: TERMINATED.test(trimmed) || THAI_LIKE.test(trimmed),
          tabular: segment.tabular,
          block: blockIndex,
        });
        first = false;
      }
    }
  }
  return sentences;
}

/** Joins the lines of a block into paragraphs, keeping headings and table rows apart. */
function segments(block: string): Segment[] {
  const raw = block.split('\n').filter((line) => /\S/.test(line));
  const lines = raw.map((line) => line.replace(/\s+/g, ' ').trim());
  const widest = lines.reduce((max, line) => Math.max(max, displayWidth(line)), 0);

  const out: Segment[] = [];
  let parts: string[] = [];
  const flush = (): void => {
    if (parts.length > 0) out.push({ text: parts.join(''), tabular: false });
    parts = [];
  };

  let previousStands = true;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const tabular = TABLE_ROW.test(raw[i] ?? '');
    const heading: boolean =
      !tabular && previousStands && isHeadingLike(line, lines[i + 1], widest);
    previousStands = tabular || heading || TERMINATED.test(line);
    if (tabular || heading) {
      flush();
      out.push({ text: line, tabular });
    } else {
      appendLine(parts, line);
    }
  }
  flush();
  return out;
}

/**
 * A short line without end punctuation, followed by a capital or a digit. Only lines after the
 * end of a sentence, a heading or a table row qualify, so a short wrapped line inside a
 * paragraph stays in it.
 */
function isHeadingLike(line: string, next: string | undefined, widest: number): boolean {
  if (TERMINATED.test(line) || /[,;:]$/.test(line)) return false;
  const width = displayWidth(line);
  if (width > 80 || (next !== undefined && width >= widest * 0.7)) return false;
  return next === undefined || /^[\p{Lu}\p{N}]/u.test(next);
}

/** Adds a wrapped line to a paragraph, undoing a line-end hyphen and spacing by script. */
function appendLine(parts: string[], line: string): void {
  const previous = parts[parts.length - 1];
  if (previous === undefined) parts.push(line);
  else if (/\p{Ll}-$/u.test(previous) && /^\p{Ll}/u.test(line)) {
    parts[parts.length - 1] = previous.slice(0, -1);
    parts.push(line);
  } else if (hasUnspacedScript(previous.slice(-1)) || hasUnspacedScript(line.slice(0, 1))) {
    parts.push(line);
  } else {
    parts.push(' ', line);
  }
}

function splitSegment(segment: string): string[] {
  const pieces: string[] = [];
  let start = 0;

  for (const match of segment.matchAll(END_RUN)) {
    const end = (match.index ?? 0) + match[0].length;
    if (end <= start) continue;
    if (!endsSentence(segment, match[0], match.index ?? 0, end, start)) continue;
    pieces.push(segment.slice(start, end));
    start = end;
  }
  if (start < segment.length) pieces.push(segment.slice(start));

  return pieces.flatMap(splitThaiLike).flatMap(chop);
}

function endsSentence(
  segment: string,
  mark: string,
  at: number,
  end: number,
  sentenceStart: number,
): boolean {
  if (STRONG.test(mark)) return true;
  if (end < segment.length && !/\s/.test(segment[end] ?? '')) return false;
  if (LOWER_START.test(segment.slice(end, end + 8))) return false;
  if (mark !== '.') return true;

  const before = WORD_BEFORE.exec(segment.slice(Math.max(sentenceStart, at - 24), at))?.[1];
  if (!before) return true;
  const word = before.replace(/^[("'“‘[]+/u, '').toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  if (/^\p{L}$/u.test(word) || /^(\p{L}\.)+\p{L}$/u.test(word)) return false;
  const isFirstWord =
    at - sentenceStart <= 30 && !segment.slice(sentenceStart, at - before.length).trim();
  return !(isFirstWord && /^(\d{1,3}|[ivxlc]{1,5})$/i.test(word));
}

/** Thai, Lao, Khmer and Myanmar mark sentence (or clause) breaks with a space. */
function splitThaiLike(piece: string): string[] {
  if (!THAI_LIKE.test(piece)) return [piece];
  const out: string[] = [];
  let pending = '';
  for (const part of piece.split(THAI_SPACE)) {
    pending = pending ? `${pending} ${part}` : part;
    if (pending.length >= MIN_UNSPACED_PIECE) {
      out.push(pending);
      pending = '';
    }
  }
  if (pending) out.push(pending);
  return out;
}

/** Cuts an over-long sentence at clause marks, then spaces, then anywhere. */
function chop(piece: string): string[] {
  const out: string[] = [];
  let rest = piece.trim();
  while (rest.length > MAX_SENTENCE_CHARS) {
    const window = rest.slice(MAX_SENTENCE_CHARS / 2, MAX_SENTENCE_CHARS);
    let cut = lastIndexOfAny(window, ['; ', '；', '，', '、', '، ', ', ']);
    if (cut < 0) cut = window.lastIndexOf(' ');
    let at = cut < 0 ? MAX_SENTENCE_CHARS : MAX_SENTENCE_CHARS / 2 + cut + 1;
    if (/[\uD800-\uDBFF]/.test(rest[at - 1] ?? '')) at--;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/**
 * A line's width in columns: Chinese, Japanese and Korean characters take two, so that a full
 * line of them is as wide as a full line of Latin letters and is not taken for a short heading.
 */
function displayWidth(line: string): number {
  let width = 0;
  for (const char of line) width += WIDE.test(char) ? 2 : 1;
  return width;
}

function lastIndexOfAny(text: string, marks: string[]): number {
  return marks.reduce((best, mark) => Math.max(best, text.lastIndexOf(mark)), -1);
}
