/**
 * Splits a long text into chunks for the model, on the document's own structure.
 *
 * The number of chunks is fixed first, ⌈D / target⌉ for a text of D estimated tokens, so that
 * the call count stays predictable. Each cut then goes to the strongest boundary within a
 * quarter of a chunk of its ideal place: a section heading, then a page or paragraph break
 * (a blank line or form feed: the extracted text separates pages with a blank line), then the
 * end of a line that ends a sentence, a sentence end inside a line, a line wrap, a space, and
 * only as a last resort the middle of a word. No chunk exceeds `maxTokens`, and the chunks
 * cover the text exactly, in order: every part of it reaches some chunk.
 */
import { charWeight, tokenWeight } from './tokens.js';

export interface Chunk {
  /** The chunk's text, trimmed. */
  text: string;
  /** Where the chunk starts and ends in the whole text (end exclusive, untrimmed). */
  start: number;
  end: number;
  /** Estimated tokens. */
  tokens: number;
}

export interface ChunkOptions {
  /** Tokens a chunk aims at; the text is cut into ⌈D / targetTokens⌉ chunks. */
  targetTokens: number;
  /** Most tokens in any chunk; raised to `targetTokens` if lower. */
  maxTokens: number;
}

/** How good a place to cut each kind of boundary is; higher wins within the window. */
const SECTION = 5;
const BREAK = 4;
const PARAGRAPH_END = 3;
const LINE_WRAP = 1;
/** A cut may move this share of a chunk away from its ideal place to reach a boundary. */
const WINDOW_SHARE = 0.25;

/**
 * Numbered headings ("2.3 Methods", "IV. Results"), named ones ("Chapter 3"), "§ 4",
 * "第三章".
 */
const HEADING = new RegExp(
  [
    '^(?:\\d{1,2}(?:\\.\\d{1,2})*\\.?|[IVXLC]{1,6}\\.|[A-Z]\\.)\\s+\\p{Lu}',
    '^(?:chapter|section|part|article|appendix|annex|capítulo|sección|seção|chapitre|kapitel|' +
      'abschnitt|artigo|artículo)\\s+[\\dIVXLC]',
    '^§\\s*\\d',
    '^第[一二三四五六七八九十百千\\d]+[章节節部篇条條]',
  ].join('|'),
  'iu',
);
const UPPER_HEADING = /^[\p{Lu}\d][\p{Lu}\d\s,:&'’()–-]{3,79}$/u;
const ENDS_SENTENCE = /[.!?。！？؟…]["'”’»)\]]*$/u;
const SENTENCE_BREAK = /[.!?؟…]["'”’»)\]]*\s+(?=\S)|[。！？]["'”’」』）]*/gu;

interface Line {
  start: number;
  /** Estimated tokens of the text before this line. */
  before: number;
  /** How good a cut just before this line is. */
  strength: number;
}

export function splitIntoChunks(text: string, options: ChunkOptions): Chunk[] {
  const lines = indexLines(text);
  const total = tokenWeight(text);
  const target = Math.max(1, options.targetTokens);
  const count = Math.max(1, Math.ceil(total / target));
  if (count === 1) return toChunks(text, [0, text.length], lines, total);

  const size = total / count;
  const most = Math.max(options.maxTokens, target, size);
  const window = size * WINDOW_SHARE;
  const cuts = [0];
  let previous = 0;
  for (let k = 1; k < count; k++) {
    const ideal = k * size;
    // Never leave more than the remaining chunks can hold, nor make this one too long.
    const low = Math.max(ideal - window, total - (count - k) * most, previous + 1e-9);
    const high = Math.min(ideal + window, previous + most);
    const range = { low, high, ideal: Math.min(Math.max(ideal, low), high) };
    const cut = bestCut(text, lines, total, range);
    cuts.push(cut.offset);
    previous = cut.tokens;
  }
  cuts.push(text.length);
  return toChunks(text, cuts, lines, total);
}

/** Cuts a text into two halves at its best boundary near the middle. */
export function splitInTwo(text: string): Chunk[] {
  const total = tokenWeight(text);
  return splitIntoChunks(text, { targetTokens: Math.ceil(total / 2), maxTokens: total });
}

function toChunks(text: string, cuts: number[], lines: Line[], total: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let i = 1; i < cuts.length; i++) {
    const start = cuts[i - 1] ?? 0;
    const end = cuts[i] ?? text.length;
    const piece = text.slice(start, end);
    if (!piece.trim()) continue;
    const tokens = tokensAt(text, lines, end, total) - tokensAt(text, lines, start, total);
    chunks.push({ text: piece.trim(), start, end, tokens: Math.ceil(tokens) });
  }
  return chunks;
}

/** Each line's start, the tokens before it, and how good a cut before it is. */
function indexLines(text: string): Line[] {
  const lines: Line[] = [];
  let before = 0;
  let previous = '';
  let blankBefore = false;
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    const trimmed = line.trim();
    const strength = !trimmed
      ? LINE_WRAP
      : isHeading(trimmed)
        ? SECTION
        : blankBefore || line.startsWith('\f')
          ? BREAK
          : ENDS_SENTENCE.test(previous)
            ? PARAGRAPH_END
            : LINE_WRAP;
    lines.push({ start, before, strength });
    before += tokenWeight(line) + (newline < 0 ? 0 : charWeight(10));
    if (trimmed) previous = trimmed;
    blankBefore = !trimmed || line.includes('\f');
    if (newline < 0) break;
    start = newline + 1;
  }
  return lines;
}

function isHeading(line: string): boolean {
  if (line.length > 100 || /[.;,:]$/.test(line)) return false;
  return HEADING.test(line) || (UPPER_HEADING.test(line) && /\p{Lu}{2}/u.test(line));
}

/** The best place to cut between `low` and `high` tokens, and the tokens before it. */
function bestCut(
  text: string,
  lines: Line[],
  total: number,
  range: { low: number; high: number; ideal: number },
): { offset: number; tokens: number } {
  const spread = Math.max(1, range.high - range.low);
  let best: { line: Line; score: number } | undefined;
  for (let i = firstLineAtOrAfter(lines, range.low); i < lines.length; i++) {
    const line = lines[i];
    if (!line || line.before > range.high) break;
    if (line.start === 0) continue;
    const score = line.strength * 10 - Math.abs(line.before - range.ideal) / spread;
    if (!best || score > best.score) best = { line, score };
  }
  if (best && best.line.strength >= PARAGRAPH_END) {
    return { offset: best.line.start, tokens: best.line.before };
  }

  const from = offsetAt(text, lines, range.low);
  const to = offsetAt(text, lines, range.high);
  const ideal = offsetAt(text, lines, range.ideal);
  const sentence = nearest(text, from, to, ideal, SENTENCE_BREAK);
  if (sentence !== undefined)
    return { offset: sentence, tokens: tokensAt(text, lines, sentence, total) };
  if (best) return { offset: best.line.start, tokens: best.line.before };
  const space = nearest(text, from, to, ideal, /\s+(?=\S)/gu);
  const offset = space ?? safeOffset(text, Math.max(from + 1, ideal));
  return { offset, tokens: tokensAt(text, lines, offset, total) };
}

/** The end of the match of `pattern` in [from, to) closest to `ideal`, if any. */
function nearest(
  text: string,
  from: number,
  to: number,
  ideal: number,
  pattern: RegExp,
): number | undefined {
  let found: number | undefined;
  for (const match of text.slice(from, to).matchAll(pattern)) {
    const end = from + (match.index ?? 0) + match[0].length;
    if (end <= from || end >= to) continue;
    if (found === undefined || Math.abs(end - ideal) < Math.abs(found - ideal)) found = end;
  }
  return found;
}

function firstLineAtOrAfter(lines: Line[], tokens: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((lines[middle]?.before ?? 0) < tokens) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The character offset where `tokens` estimated tokens of the text are behind. */
function offsetAt(text: string, lines: Line[], tokens: number): number {
  const index = Math.max(0, firstLineAtOrAfter(lines, tokens) - 1);
  const line = lines[index];
  if (!line) return 0;
  let weight = line.before;
  let offset = line.start;
  while (offset < text.length && weight < tokens) weight += charWeight(text.charCodeAt(offset++));
  return offset;
}

function tokensAt(text: string, lines: Line[], offset: number, total: number): number {
  if (offset >= text.length) return total;
  let low = 0;
  let high = lines.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lines[middle]?.start ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  const line = lines[low];
  if (!line) return 0;
  return line.before + tokenWeight(text.slice(line.start, offset));
}

/** `offset`, or one less if it would split a surrogate pair. */
function safeOffset(text: string, offset: number): number {
  const code = text.charCodeAt(offset - 1);
  return code >= 0xd800 && code <= 0xdbff ? offset - 1 : offset;
}
