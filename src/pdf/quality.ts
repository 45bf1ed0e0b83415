import { JobError } from '../errors.js';

/**
 * Decides whether extracted text is worth summarizing: a scan with no text layer, a lone stamp
 * and text drawn with fonts that map to no real letters must be refused, not summarized.
 */

/** Below this average of visible characters per page... */
const MIN_CHARS_PER_PAGE = 50;
/** ...and below this total, a document counts as having no text layer. */
const MIN_TOTAL_CHARS = 300;
/** Share of mojibake, replacement, control and private-use characters above which text is junk. */
const MAX_GARBAGE_SHARE = 0.3;
/** Fewer suspect-or-letter characters than this are too few to judge a share on. */
const MIN_SAMPLE = 20;
/** In a short text, a share of letters below this means symbol soup rather than a stamp. */
const MIN_LETTER_SHARE = 0.2;
/** Short text found on an otherwise empty document is quoted back up to this length. */
const QUOTE_CHARS = 100;

export interface TextStats {
  /** Characters that are not whitespace. */
  visible: number;
  /** Letters in any script, except the Latin-1 letters counted as `suspect`. */
  letters: number;
  /**
   * U+FFFD, control and private-use characters, and letters from U+00C0–U+00FF. Those Latin-1
   * letters are legitimate in French or German, but a font without a Unicode map yields mostly
   * them (Thai TIS-620 bytes read as Latin-1), so their share tells mojibake from real text.
   */
  suspect: number;
}

export function measureText(text: string): TextStats {
  const stats: TextStats = { visible: 0, letters: 0, suspect: 0 };
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20) {
      if (code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x20) stats.suspect++;
    } else if (code < 0x7f) {
      stats.visible++;
      if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) stats.letters++;
    } else if (!/\s/u.test(char)) {
      stats.visible++;
      if (isSuspect(code)) stats.suspect++;
      else if (/\p{L}/u.test(char)) stats.letters++;
    }
  }
  return stats;
}

function isSuspect(code: number): boolean {
  return (
    code === 0xfffd ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xc0 && code <= 0xff && code !== 0xd7 && code !== 0xf7) ||
    (code >= 0xe000 && code <= 0xf8ff) ||
    code >= 0xf0000
  );
}

/**
 * Throws `no_text` or `unreadable_text` when `text` (already cleaned) should not be summarized.
 * `strippedControls` counts control characters clean-up removed; they count as suspect too.
 */
export function checkTextQuality(text: string, pagesRead: number, strippedControls = 0): void {
  const stats = measureText(text);
  const suspect = stats.suspect + strippedControls;
  const judged = stats.letters + suspect;

  if (stats.visible === 0) {
    throw new JobError(
      'no_text',
      `found no text on ${plural(pagesRead, 'page')} read; ${EXPECTED}`,
    );
  }

  if (judged >= MIN_SAMPLE && suspect / judged > MAX_GARBAGE_SHARE) {
    throw new JobError(
      'unreadable_text',
      `${percent(suspect / judged)} of ${count(judged)} letters are mojibake, replacement, ` +
        `control or private-use characters; expected at most ${percent(MAX_GARBAGE_SHARE)}`,
    );
  }

  const perPage = stats.visible / Math.max(1, pagesRead);
  if (perPage >= MIN_CHARS_PER_PAGE || stats.visible >= MIN_TOTAL_CHARS) return;

  const visible = plural(stats.visible, 'visible character');
  const found = `found ${visible} on ${plural(pagesRead, 'page')}`;
  if (stats.letters / stats.visible < MIN_LETTER_SHARE) {
    throw new JobError(
      'unreadable_text',
      `${found}, ${percent(stats.letters / stats.visible)} of them letters; ` +
        `expected at least ${percent(MIN_LETTER_SHARE)} letters in readable text`,
    );
  }
  throw new JobError('no_text', `${found}; ${EXPECTED}`, { userMessage: quoteBack(text) });
}

const EXPECTED =
  `expected at least ${MIN_CHARS_PER_PAGE} per page on average ` + `or ${MIN_TOTAL_CHARS} in total`;

/** The standard no-text sentence, plus the little text there was so the person can judge it. */
function quoteBack(text: string): string {
  const base =
    'This PDF has almost no text: it looks like a scan or a picture of text. ' +
    'Run it through OCR (text recognition) first, then upload the result.';
  const short = text.replace(/\s+/g, ' ').trim();
  if (!short) return base;
  const quoted = short.length > QUOTE_CHARS ? `${short.slice(0, QUOTE_CHARS)}…` : short;
  return `${base} The only text in it is: “${quoted}”`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function plural(n: number, noun: string): string {
  return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
