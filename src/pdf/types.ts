import type { CleanCounts } from './clean.js';

/** Limits applied while reading one PDF. All are enforced inside the worker thread. */
export interface ExtractLimits {
  /** Pages beyond this fail the job with `too_many_pages`. */
  maxPages: number;
  /** Text kept for summarizing; reading stops once this many characters are collected. */
  maxChars: number;
}

/** What the worker returns for a PDF it could read. Failures are thrown as JobErrors. */
export interface ExtractedDocument {
  /** Pages the document declares. */
  pageCount: number;
  /**
   * Pages whose text is in `text`, including pages with no text on them; failed pages are not
   * counted. When `truncated`, the last of them may be in `text` only in part, and the pages
   * after it were not read: the reply can say "only the first N of M pages were read".
   */
  pagesRead: number;
  /** 1-based numbers of pages that could not be read (damaged content). */
  failedPages: number[];
  /** Cleaned text, pages separated by a blank line, paragraphs kept. */
  text: string;
  /** Where each page read begins in `text` (pages are also separated by a blank line). */
  pageStarts: number[];
  /** Filled-in values of an AcroForm, as "Label: value" lines; empty when there are none. */
  formFields: string[];
  /** Document title from its metadata, when it has a usable one. */
  title: string | undefined;
  /** True when reading stopped at `maxChars` before the last page. */
  truncated: boolean;
  /**
   * Part of the text looks garbled (a font maps its glyphs to the wrong letters): it is still
   * summarized, but the reply should warn that the summary may be unreliable.
   */
  garbled: boolean;
  /** Counts of what clean-up removed, for the log (never the content). */
  removed: CleanCounts;
}
