import type { PDFDocumentProxy } from 'unpdf/pdfjs';

import { describe } from '../errors.js';
import { repairThai } from './thai.js';

export interface PageTexts {
  /** Raw text of each page read, in page order, lines ending in `\n`; failed pages are absent. */
  texts: string[];
  /** Pages whose text was read, including pages with no text on them. */
  pagesRead: number;
  /** 1-based numbers of pages pdf.js could not read. */
  failedPages: number[];
  /** The first page failure, for the log when no page could be read at all. */
  firstFailure: string | undefined;
  /** True when reading stopped at the character budget before the last page. */
  stoppedEarly: boolean;
  /**
   * Pages pdf.js made up because the document has no page tree it can find: it then reports
   * one blank page that no object in the file stands for.
   */
  phantomPages: number;
}

/**
 * Reads page text one page at a time, releasing each page before the next.
 *
 * unpdf's `extractText` starts every page at once and keeps them all: on a 2,415-page manual
 * that took 920 MB and one bad page rejected the whole call. Here memory stays bounded, a
 * damaged page fails alone, and reading stops once `charBudget` characters are collected.
 */
export async function readPages(pdf: PDFDocumentProxy, charBudget: number): Promise<PageTexts> {
  const result: PageTexts = {
    texts: [],
    pagesRead: 0,
    failedPages: [],
    firstFailure: undefined,
    stoppedEarly: false,
    phantomPages: 0,
  };
  const thaiFonts = new Map<string, boolean>();
  let collected = 0;

  for (let number = 1; number <= pdf.numPages; number++) {
    if (collected >= charBudget) {
      result.stoppedEarly = true;
      break;
    }
    try {
      const { text, phantom } = await readPage(pdf, number, thaiFonts);
      result.texts.push(text);
      result.pagesRead++;
      if (phantom) result.phantomPages++;
      collected += text.length;
    } catch (error) {
      result.failedPages.push(number);
      result.firstFailure ??= `page ${number}: ${describe(error)}`;
    }
  }
  return result;
}

/**
 * Whether the step down to the next line is a paragraph break: more than about one and a half
 * lines of space, or a jump back up (the next column). Clean-up keeps paragraphs apart by the
 * blank line this adds.
 */
function isParagraphGap(drop: number, lineHeight: number): boolean {
  const height = lineHeight > 0 ? lineHeight : 10;
  return drop > height * 1.9 || drop < -height * 2;
}

async function readPage(
  pdf: PDFDocumentProxy,
  number: number,
  thaiFonts: Map<string, boolean>,
): Promise<{ text: string; phantom: boolean }> {
  const page = await pdf.getPage(number);
  try {
    // Unicode normalization happens in clean-up, after mojibake is repaired from the raw codes.
    const content = await page.getTextContent({ disableNormalization: true });
    const items = content.items.filter((item) => 'str' in item);
    const strings = repairThai(items, thaiFonts);
    let text = '';
    let lineStart = true;
    let previousY: number | undefined;
    for (const [i, item] of items.entries()) {
      const y = item.transform[5] as number | undefined;
      if (lineStart && y !== undefined && previousY !== undefined) {
        if (isParagraphGap(previousY - y, item.height)) text += '\n';
      }
      if (lineStart && y !== undefined) previousY = y;
      text += strings[i];
      lineStart = item.hasEOL;
      if (item.hasEOL) text += '\n';
    }
    return { text, phantom: page.ref === null };
  } finally {
    page.cleanup();
  }
}
