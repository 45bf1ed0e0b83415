import { JobError } from '../errors.js';

/**
 * Decides whether extracted text is worth summarizing, and when it is not, which true thing to
 * tell the person: the file is damaged, it is a scan with no text layer, its fonts draw letters
 * no machine can read, or it is simply a document with almost nothing written in it.
 */

/** Below this average of visible characters per page... */
const MIN_CHARS_PER_PAGE = 50;
/** ...and below this total, a document holds too little text to summarize. */
const MIN_TOTAL_CHARS = 300;
/** Share of mojibake, replacement, control and private-use characters above which text is junk. */
const MAX_GARBAGE_SHARE = 0.3;
/** Fewer suspect-or-letter characters than this are too few to judge a share on. */
const MIN_SAMPLE = 20;
/** In a short text, a share of letters below this means symbol soup rather than a stamp. */
const MIN_LETTER_SHARE = 0.2;
/** Short text found in a document that is not summarized is quoted back up to this length. */
const QUOTE_CHARS = 160;
/**
 * Share of words with one letter three times in a row above which text counts as garbled. A
 * font whose glyphs map to the wrong letters repeats one of them for every stretched stroke
 * ("تلووووير"); real words in any script almost never do.
 */
const MAX_STUTTER_SHARE = 0.05;
/** Fewer words than this are too few to call a text garbled. */
const MIN_WORDS = 40;

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

/** What, besides the text, the verdict depends on. */
export interface QualityContext {
  /** Pages whose text was read. */
  pagesRead: number;
  /** Pages the document declares. */
  pageCount: number;
  /** Pages pdf.js could not read. */
  failedPages: number;
  /** Control characters clean-up removed; they count as suspect too. */
  strippedControls: number;
  /** How the file's frame (header, cross-reference pointer) is broken, if it is. */
  frameDamage: string | undefined;
  /** Whether the file holds an image the size of a page. */
  hasPageImage: boolean;
}

export interface QualityVerdict {
  /** Part of the text looks garbled: worth summarizing, but the reader should be warned. */
  garbled: boolean;
}

/**
 * Throws a JobError when `text` (already cleaned) should not be summarized, saying why:
 * `damaged`, `no_text` (a scan), `unreadable_text` (mojibake) or `little_text`. Otherwise says
 * whether the text, though worth summarizing, looks partly garbled.
 */
export function checkTextQuality(text: string, context: QualityContext): QualityVerdict {
  const stats = measureText(text);
  const suspect = stats.suspect + context.strippedControls;
  const judged = stats.letters + suspect;
  const pages = plural(context.pagesRead, 'page');

  if (stats.visible === 0) {
    if (context.failedPages > 0) {
      throw new JobError(
        'damaged',
        `found no text on ${pages} read; ${unreadPages(context)} could not be read`,
        {
          userMessage:
            `This PDF is damaged: ${unreadPages(context)} could not be read, ` +
            'and the others hold no text.',
        },
      );
    }
    throw new JobError('no_text', `found no text on ${pages} read; ${EXPECTED}`);
  }

  if (judged >= MIN_SAMPLE && suspect / judged > MAX_GARBAGE_SHARE) {
    throw new JobError(
      'unreadable_text',
      `${percent(suspect / judged)} of ${count(judged)} letters are mojibake, replacement, ` +
        `control or private-use characters; expected at most ${percent(MAX_GARBAGE_SHARE)}`,
    );
  }

  const perPage = stats.visible / Math.max(1, context.pagesRead);
  if (perPage < MIN_CHARS_PER_PAGE && stats.visible < MIN_TOTAL_CHARS) {
    throw scarceText(text, stats, context);
  }

  return { garbled: stutterShare(text) > MAX_STUTTER_SHARE };
}

/** The error for a document with a little text but too little to summarize. */
function scarceText(text: string, stats: TextStats, context: QualityContext): JobError {
  const pages = plural(context.pagesRead, 'page');
  const found = `found ${plural(stats.visible, 'visible character')} on ${pages}`;

  if (stats.letters / stats.visible < MIN_LETTER_SHARE) {
    return new JobError(
      'unreadable_text',
      `${found}, ${percent(stats.letters / stats.visible)} of them letters; ` +
        `expected at least ${percent(MIN_LETTER_SHARE)} letters in readable text`,
    );
  }

  if (context.frameDamage || context.failedPages > 0) {
    const why = [
      context.frameDamage,
      context.failedPages > 0 && `${unreadPages(context)} unreadable`,
    ]
      .filter(Boolean)
      .join('; ');
    return new JobError('damaged', `${found}; the file is damaged (${why})`, {
      userMessage:
        'This PDF is damaged, and I could read almost no text from it: ' +
        `${plural(stats.visible, 'character')} on ${pages}. ${quote(text)}`,
    });
  }

  if (context.hasPageImage) {
    return new JobError('no_text', `${found} beside page-sized images; ${EXPECTED}`, {
      userMessage:
        'This PDF has no text layer: its pages are images, like a scan, with only a few stray ' +
        `characters of text (${count(stats.visible)} on ${pages}). ${quote(text)} ` +
        'Run it through OCR (text recognition) first, then upload the result.',
    });
  }

  return new JobError('little_text', `${found} and no page-sized image; ${EXPECTED}`, {
    userMessage:
      `This PDF holds almost no text (${plural(stats.visible, 'character')} on ${pages}), ` +
      'too little to summarize. ' +
      `${quote(text)} If its pages show more than that, the rest is drawn as pictures ` +
      'and would need OCR (text recognition).',
  });
}

const EXPECTED =
  `expected at least ${MIN_CHARS_PER_PAGE} per page on average ` + `or ${MIN_TOTAL_CHARS} in total`;

/** The little text there was, quoted, so the person can judge it. */
function quote(text: string): string {
  const short = text.replace(/\s+/g, ' ').trim();
  if (short.length <= QUOTE_CHARS) return `All of it reads: “${short}”.`;
  return `It begins: “${short.slice(0, QUOTE_CHARS).trimEnd()}…”.`;
}

/** Share of words (three letters or more) in which one letter appears three times in a row. */
function stutterShare(text: string): number {
  const words = text.match(/\p{L}{3,}/gu) ?? [];
  if (words.length < MIN_WORDS) return 0;
  const stuttering = words.filter((word) => /(\p{L})\1\1/u.test(word)).length;
  return stuttering / words.length;
}

function unreadPages(context: QualityContext): string {
  return `${count(context.failedPages)} of its ${plural(context.pageCount, 'page')}`;
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
