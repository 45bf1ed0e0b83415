import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { getDocumentProxy } from 'unpdf';
import type { PDFDocumentProxy } from 'unpdf/pdfjs';

import { describe, JobError } from '../errors.js';

/**
 * Where pdf.js finds its CMaps and standard fonts. They must be plain paths with a trailing
 * slash: unpdf's own default is a `file://` URL, which pdf.js 5.6 in Node cannot load, and
 * without CMaps Japanese and Chinese text with predefined encodings silently disappears.
 */
const pdfjsDir = dirname(fileURLToPath(import.meta.resolve('pdfjs-dist/package.json')));

const OPTIONS = {
  cMapUrl: `${pdfjsDir}/cmaps/`,
  cMapPacked: true,
  standardFontDataUrl: `${pdfjsDir}/standard_fonts/`,
  // pdf.js warns on the console by default: one file alone printed 1,770 font warnings.
  verbosity: 0,
  isEvalSupported: false,
};

/** pdf.js's PasswordResponses: no password was given, or the one given was wrong. */
const WRONG_PASSWORD = 2;

/** Opens a PDF with pdf.js, turning its failures into JobErrors by their name and code. */
export async function openPdf(bytes: Uint8Array, hasHeader: boolean): Promise<PDFDocumentProxy> {
  try {
    return await getDocumentProxy(bytes, OPTIONS);
  } catch (error) {
    throw classifyOpenError(error, hasHeader);
  }
}

function classifyOpenError(error: unknown, hasHeader: boolean): JobError {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const options = { cause: error };

  if (name === 'PasswordException') {
    const detail =
      code === WRONG_PASSWORD
        ? 'PDF rejected the password given'
        : 'PDF needs a password to open; none was given';
    return new JobError('password_protected', detail, options);
  }
  if (name === 'InvalidPDFException' && !hasHeader) {
    return new JobError(
      'not_pdf',
      `expected a PDF, got bytes pdf.js cannot parse as one (${describe(error)})`,
      options,
    );
  }
  const what = hasHeader ? 'PDF has a %PDF- header but' : 'PDF';
  return new JobError('damaged', `${what} could not be opened (${describe(error)})`, options);
}
