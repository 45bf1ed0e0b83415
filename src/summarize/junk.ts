/**
 * Which sentences may stand in a summary at all. PDF text carries headings, table rows, figure
 * captions, page furniture and reference lists that read badly as key points whatever their score.
 */
import type { Sentence } from './sentences.js';

/** Fewest tokens a sentence needs; unspaced scripts count character bigrams instead of words. */
const MIN_TOKENS = 5;
/** Fewest tokens for a line without end punctuation, so that headings fall out. */
const MIN_TOKENS_UNTERMINATED = 10;
const MIN_LETTER_SHARE = 0.55;
const MAX_NUMBER_SHARE = 0.3;
const MAX_YEARS = 3;
/** Longer sentences read badly as key points; most of them are lists run together. */
const MAX_CHARS = 500;

const CAPTION_WORDS = 'fig|figs|figure|figura|tab|table|tabla|tabela|tableau|chart|exhibit|abb';
const CAPTION = new RegExp(`^(?:${CAPTION_WORDS})s?\\.?\\s*(?:\\d[\\d.]*|[ivx]+)\\b`, 'iu');
const LINK = /https?:\/\/|www\.|\bdoi(?:\.org|:)|\S@\S+\.\p{L}/iu;
const REFERENCE_ENTRY = /^(?:\[\d+\]|\d+\.\s+\p{Lu}[\p{L}'-]+,\s+\p{Lu}\.)/u;
const YEAR = /\b(?:1[89]|20)\d\d[a-z]?\b/g;
const NUMBER = /^\p{N}+$/u;

/**
 * Whether a sentence may be chosen, judged by its shape alone (not by what it says). One that
 * starts in lower case or with punctuation is the tail of a sentence broken by a page or column
 * change.
 */
export function isCandidate(sentence: Sentence, tokens: readonly string[]): boolean {
  const text = sentence.text;
  if (sentence.tabular || text.length > MAX_CHARS) return false;
  // The tail of a sentence broken by a page or column change, maybe after the page number.
  if (/^(?:\d{1,4}\s+)?\p{Ll}|^[.,;:)\]}]/u.test(text)) return false;
  if (tokens.length < (sentence.terminated ? MIN_TOKENS : MIN_TOKENS_UNTERMINATED)) return false;
  if (letterShare(text) < MIN_LETTER_SHARE) return false;
  if (numberShare(tokens) > MAX_NUMBER_SHARE) return false;
  if (CAPTION.test(text) || LINK.test(text) || REFERENCE_ENTRY.test(text)) return false;
  return (text.match(YEAR)?.length ?? 0) < MAX_YEARS;
}

function letterShare(text: string): number {
  const visible = text.replace(/\s+/gu, '').length;
  const letters = text.replace(/[^\p{L}\p{M}]+/gu, '').length;
  return visible === 0 ? 0 : letters / visible;
}

function numberShare(tokens: readonly string[]): number {
  let numbers = 0;
  for (const token of tokens) if (NUMBER.test(token)) numbers++;
  return tokens.length === 0 ? 0 : numbers / tokens.length;
}
