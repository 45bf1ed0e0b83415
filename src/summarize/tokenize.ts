/**
 * Word tokens for comparing sentences, in any script.
 *
 * Letters, marks and numbers of every script are kept (so "divulgación" stays one word) and
 * lower-cased. Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
 * Myanmar) have no word boundary to find, so their runs become overlapping character bigrams.
 */

/** Letters written without spaces between words. Hangul is left out: Korean uses spaces. */
const UNSPACED =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}' +
  '\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}';

const RUN = /[\p{L}\p{M}\p{N}]+/gu;
const UNSPACED_RUN = new RegExp(`[${UNSPACED}]+|[^${UNSPACED}]+`, 'gu');
const HAS_UNSPACED = new RegExp(`[${UNSPACED}]`, 'u');
const UNSPACED_CHAR = new RegExp(`^[${UNSPACED}]`, 'u');

/** Whether the text contains any letter of a script written without spaces. */
export function hasUnspacedScript(text: string): boolean {
  return HAS_UNSPACED.test(text);
}

/**
 * Splits text into lower-case tokens: words for spaced scripts (one-letter words dropped),
 * character bigrams for unspaced ones.
 */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const lower = text.normalize('NFKC').toLowerCase();

  for (const [run] of lower.matchAll(RUN)) {
    if (!HAS_UNSPACED.test(run)) {
      if (run.length > 1) tokens.push(run);
      continue;
    }
    for (const [part] of run.matchAll(UNSPACED_RUN)) {
      if (UNSPACED_CHAR.test(part)) pushBigrams(part, tokens);
      else if (part.length > 1) tokens.push(part);
    }
  }
  return tokens;
}

function pushBigrams(run: string, tokens: string[]): void {
  const chars = Array.from(run);
  if (chars.length === 1) {
    tokens.push(run);
    return;
  }
  for (let i = 0; i + 1 < chars.length; i++) tokens.push(`${chars[i]}${chars[i + 1]}`);
}
