import { JobError } from '../errors.js';

/** How many leading bytes {@link checkPdfHeader} looks at. Pass at least this many when you can. */
export const SNIFF_BYTES = 1024;

/** Signatures of files people upload by mistake, or that a server returns instead of a PDF. */
const NOT_PDF: ReadonlyArray<{ what: string; magic: readonly number[] }> = [
  { what: 'a ZIP archive (or an Office document)', magic: [0x50, 0x4b, 0x03, 0x04] },
  { what: 'a PNG image', magic: [0x89, 0x50, 0x4e, 0x47] },
  { what: 'a JPEG image', magic: [0xff, 0xd8, 0xff] },
  { what: 'a GIF image', magic: [0x47, 0x49, 0x46, 0x38] },
];

const HTML_START = /^\s*<(!doctype|html|head|body|\?xml|!--|[a-z]+[\s>])/i;
const PDF_MARK = '%PDF-';
const OBJ_KEYWORD = /\d+\s+\d+\s+obj\b/;

/**
 * Rejects bytes that are clearly not a PDF, before pdf.js sees them.
 *
 * `head` is the start of the file (at least {@link SNIFF_BYTES} when the file is that long) and
 * `size` its full length. A missing `%PDF-` at offset 0 alone is not fatal: some real files have
 * junk before it, or no header at all but intact objects, and pdf.js reads them.
 */
export function checkPdfHeader(head: Uint8Array, size: number): void {
  if (size === 0) throw new JobError('empty_file', 'expected a PDF, got a file of 0 bytes');

  const window = head.subarray(0, SNIFF_BYTES);
  const text = Buffer.from(window.buffer, window.byteOffset, window.byteLength).toString('latin1');
  if (text.startsWith(PDF_MARK)) return;

  const known = NOT_PDF.find(({ magic }) => magic.every((byte, i) => window[i] === byte));
  if (known) throw notPdf(known.what, text);
  if (HTML_START.test(text.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, ''))) {
    throw notPdf('an HTML or XML page', text);
  }

  if (text.includes(PDF_MARK) || OBJ_KEYWORD.test(text)) return;
  throw notPdf(`${size.toLocaleString('en-US')} bytes of something else`, text);
}

function notPdf(what: string, text: string): JobError {
  return new JobError(
    'not_pdf',
    `expected a PDF (starting with %PDF-), got ${what}: ${preview(text)}`,
  );
}

/** The first few printable characters, quoted, so a log line shows what actually arrived. */
function preview(text: string): string {
  const printable = text.slice(0, 24).replace(/[^\x20-\x7e]/g, '.');
  return JSON.stringify(printable);
}
