import { JobError } from '../errors.js';
import { cleanPages } from './clean.js';
import { readDocumentInfo, readFormFields } from './form.js';
import { openPdf } from './open.js';
import { readPages } from './pages.js';
import { checkTextQuality } from './quality.js';
import { checkPdfHeader, SNIFF_BYTES } from './sniff.js';
import type { ExtractedDocument, ExtractLimits } from './types.js';

/**
 * Reads the text of one PDF, or throws a JobError saying why it cannot be summarized.
 *
 * Runs inside a worker thread: pdf.js works on the calling thread and a hostile file can only be
 * stopped by terminating it. Steps: sniff the bytes, open (password and structure errors),
 * check the page limit and XFA before reading any page, read page by page up to the character
 * budget, clean, then refuse scans and unreadable fonts. Damaged pages are skipped and listed.
 */
export async function extractPdf(
  bytes: Uint8Array,
  limits: ExtractLimits,
): Promise<ExtractedDocument> {
  const head = bytes.subarray(0, SNIFF_BYTES);
  checkPdfHeader(head, bytes.byteLength);
  const hasHeader = Buffer.from(head).includes('%PDF-');

  const pdf = await openPdf(bytes, hasHeader);
  try {
    const pageCount = pdf.numPages;
    if (pageCount === 0) throw new JobError('damaged', 'PDF declares 0 pages; expected at least 1');
    if (pageCount > limits.maxPages) {
      throw new JobError(
        'too_many_pages',
        `PDF has ${count(pageCount)} pages; the limit is ${count(limits.maxPages)}`,
      );
    }

    const info = await readDocumentInfo(pdf);
    if (info.xfaOnly) {
      throw new JobError(
        'xfa_form',
        'PDF is a dynamic XFA form with no AcroForm; expected page text',
      );
    }

    // Read a little past the budget, so that text clean-up removes still leaves maxChars.
    const pages = await readPages(pdf, limits.maxChars + Math.ceil(limits.maxChars / 8));
    if (pages.pagesRead === 0) {
      throw new JobError(
        'damaged',
        `none of the ${count(pageCount)} pages could be read ` +
          `(first failure: ${pages.firstFailure})`,
      );
    }

    const cleaned = cleanPages(pages.texts);
    const formFields = info.acroForm ? await readFormFields(pdf) : [];
    const judged = [cleaned.text, ...formFields].join('\n');
    checkTextQuality(judged, pages.pagesRead, cleaned.removed.controlChars);

    const text = cut(cleaned.text, limits.maxChars);
    return {
      pageCount,
      pagesRead: pages.pagesRead,
      failedPages: pages.failedPages,
      text,
      formFields,
      title: info.title,
      truncated: pages.stoppedEarly || text.length < cleaned.text.length,
      removed: cleaned.removed,
    };
  } finally {
    await pdf.destroy();
  }
}

/** Cuts `text` to at most `max` characters, at a whitespace when one is near the end. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const hard = text.slice(0, max);
  const space = hard.search(/\s\S*$/);
  return space >= max * 0.9 ? hard.slice(0, space) : hard;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
