import { JobError } from '../errors.js';
import { cleanPages } from './clean.js';
import { readDocumentInfo, readFormFields } from './form.js';
import { openPdf } from './open.js';
import { readPages } from './pages.js';
import { checkTextQuality } from './quality.js';
import { checkPdfHeader, SNIFF_BYTES } from './sniff.js';
import { frameDamage, hasPageSizedImage } from './structure.js';
import type { ExtractedDocument, ExtractLimits } from './types.js';

/**
 * Reads the text of one PDF, or throws a JobError saying why it cannot be summarized.
 *
 * Runs inside a worker thread: pdf.js works on the calling thread and a hostile file can only be
 * stopped by terminating it. Steps: sniff the bytes, open (password and structure errors),
 * check the page limit and XFA before reading any page, read page by page up to the character
 * budget, clean, then refuse what is not worth summarizing (damage, scans, unreadable fonts,
 * documents with almost no text). Damaged pages are skipped and listed.
 */
export async function extractPdf(
  bytes: Uint8Array,
  limits: ExtractLimits,
): Promise<ExtractedDocument> {
  const head = bytes.subarray(0, SNIFF_BYTES);
  checkPdfHeader(head, bytes.byteLength);
  const hasHeader = Buffer.from(head).includes('%PDF-');
  // Read before pdf.js takes the bytes over; consulted only if the text turns out scarce.
  const damage = frameDamage(bytes);
  const pageImage = hasPageSizedImage(bytes);

  const pdf = await openPdf(bytes, hasHeader);
  try {
    const pageCount = pdf.numPages;
    if (pageCount === 0) {
      throw new JobError('empty_document', 'PDF declares 0 pages; expected at least 1');
    }
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
    if (pages.phantomPages === pages.pagesRead && pages.failedPages.length === 0) {
      // pdf.js stands in one blank page for a missing page tree; the file has no pages at all.
      throw new JobError('empty_document', 'PDF has no page tree pdf.js can find; 0 pages');
    }

    const cleaned = cleanPages(pages.texts);
    const formFields = info.acroForm ? await readFormFields(pdf) : [];
    const judged = [cleaned.text, ...formFields].join('\n');
    const { garbled } = checkTextQuality(judged, {
      pagesRead: pages.pagesRead,
      pageCount,
      failedPages: pages.failedPages.length,
      strippedControls: cleaned.removed.controlChars,
      frameDamage: damage,
      hasPageImage: pageImage,
    });

    const text = cut(cleaned.text, limits.maxChars);
    const cutShort = text.length < cleaned.text.length;
    return {
      pageCount,
      pagesRead: cutShort
        ? cleaned.pageStarts.filter((start) => start < text.length).length
        : pages.pagesRead,
      failedPages: pages.failedPages,
      text,
      pageStarts: cleaned.pageStarts.filter((start) => start < text.length),
      formFields,
      title: info.title,
      truncated: pages.stoppedEarly || cutShort,
      garbled,
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
