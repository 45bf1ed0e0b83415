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
  /** Pages whose text was read (including pages with no text on them). */
  pagesRead: number;
  /** 1-based numbers of pages that could not be read (damaged content). */
  failedPages: number[];
  /** Cleaned text, pages separated by a blank line, paragraphs kept. */
  text: string;
  /** Filled-in values of an AcroForm, as "Label: value" lines; empty when there are none. */
  formFields: string[];
  /** Document title from its metadata, when it has a usable one. */
  title: string | undefined;
  /** True when reading stopped at `maxChars` before the last page. */
  truncated: boolean;
  /** Counts of what clean-up removed, for the log (never the content). */
  removed: { repeatedLines: number; pageNumbers: number; controlChars: number; stampLines: number };
}
