import type { PDFDocumentProxy } from 'unpdf/pdfjs';

import { describe } from '../errors.js';

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
  };
  let collected = 0;

  for (let number = 1; number <= pdf.numPages; number++) {
    if (collected >= charBudget) {
      result.stoppedEarly = true;
      break;
    }
    try {
      const text = await readPage(pdf, number);
      result.texts.push(text);
      result.pagesRead++;
      collected += text.length;
    } catch (error) {
      result.failedPages.push(number);
      result.firstFailure ??= `page ${number}: ${describe(error)}`;
    }
  }
  return result;
}

async function readPage(pdf: PDFDocumentProxy, number: number): Promise<string> {
  const page = await pdf.getPage(number);
  try {
    const content = await page.getTextContent();
    let text = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      text += item.str;
      if (item.hasEOL) text += '\n';
    }
    return text;
  } finally {
    page.cleanup();
  }
}
