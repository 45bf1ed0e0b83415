/**
 * A tokenizer-free estimate of how many tokens a model will count in a text.
 *
 * Models' tokenizers differ, and shipping one per model is not possible, so this errs high:
 * about 3.6 characters per token for Latin text (English runs 4–4.5 on the common BPE
 * vocabularies), one token per Chinese, Japanese or Korean character, and two characters per
 * token for other scripts (Cyrillic, Arabic, Hebrew, Thai, Greek, Devanagari). The summarizer
 * also learns from the `usage` the server reports and scales its later estimates up when they
 * ran low.
 */

const LATIN_PER_TOKEN = 3.6;
const OTHER_PER_TOKEN = 2;

/** Estimated tokens in `text`, rounded up; linear in its length. */
export function estimateTokens(text: string): number {
  return Math.ceil(tokenWeight(text));
}

/** Estimated tokens in `text` without rounding, so that the parts of a text add up. */
export function tokenWeight(text: string): number {
  let weight = 0;
  for (let i = 0; i < text.length; i++) weight += charWeight(text.charCodeAt(i));
  return weight;
}

/** The share of a token one UTF-16 code unit stands for. */
export function charWeight(code: number): number {
  if (code < 0x250) return 1 / LATIN_PER_TOKEN;
  if (isWide(code)) return 1;
  // The second half of a surrogate pair: the first half already counted the character.
  if (code >= 0xdc00 && code <= 0xdfff) return 0;
  return 1 / OTHER_PER_TOKEN;
}

/** Han, kana, Hangul and their punctuation and full-width forms (and supplementary Han). */
function isWide(code: number): boolean {
  return (
    (code >= 0x2e80 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7af) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef) ||
    (code >= 0xd800 && code <= 0xdbff)
  );
}
