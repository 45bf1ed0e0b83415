/**
 * What the raw bytes of a PDF say about it, beyond what pdf.js reports: whether its frame (the
 * header at the start, the cross-reference pointer at the end) is intact, and whether it holds
 * images the size of a scanned page. pdf.js silently repairs a broken frame, and its text API
 * never looks at images, so these are read from the bytes, before pdf.js takes them over (it
 * detaches the buffer it is given). Both are only consulted when a file yielded almost no
 * text, to say why.
 */

/** Readers look for `startxref` within this many bytes of the end (PDF 32000-1, 7.5.5). */
const TAIL_BYTES = 1024;
/**
 * An image of at least this many pixels is the size of a scanned page: a US letter page at
 * 72 dpi (612 × 792). Logos and banners stay below it; scans are usually at 150–300 dpi.
 */
const PAGE_IMAGE_PIXELS = 480_000;
/** How far around `/Subtype /Image` its `/Width` and `/Height` are looked for. */
const DICT_REACH = 512;

const IMAGE = Buffer.from('/Image');
const IMAGE_SUBTYPE = /\/Subtype\s*\/Image\b/;
const WIDTH = /\/Width\s+(\d{1,9})\b/;
const HEIGHT = /\/Height\s+(\d{1,9})\b/;

/** How a PDF's frame is broken, in words for the log; undefined when it is intact. */
export function frameDamage(bytes: Uint8Array): string | undefined {
  const problems: string[] = [];
  if (latin1(bytes, 0, 5) !== '%PDF-') problems.push('no %PDF- header at offset 0');
  const tailStart = Math.max(0, bytes.byteLength - TAIL_BYTES);
  if (!latin1(bytes, tailStart, bytes.byteLength).includes('startxref')) {
    problems.push(`no startxref in the last ${TAIL_BYTES.toLocaleString('en-US')} bytes`);
  }
  return problems.length ? problems.join(', ') : undefined;
}

/**
 * Whether the file holds at least one image XObject the size of a scanned page.
 *
 * Image XObjects are streams, and a stream's dictionary is never compressed inside an object
 * stream, nor encrypted, so its `/Width` and `/Height` can be read from the bytes without
 * decoding anything. The file is not parsed, so an image no page draws still counts, and inline
 * images or sizes given as indirect references are missed: a hint for choosing the words of a
 * refusal, never a reason to refuse.
 */
export function hasPageSizedImage(bytes: Uint8Array): boolean {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = buffer.indexOf(IMAGE); at !== -1; at = buffer.indexOf(IMAGE, at + 1)) {
    const start = Math.max(0, at - DICT_REACH);
    const around = latin1(bytes, start, at + DICT_REACH);
    if (!IMAGE_SUBTYPE.test(around)) continue;
    const width = Number(WIDTH.exec(around)?.[1] ?? 0);
    const height = Number(HEIGHT.exec(around)?.[1] ?? 0);
    if (width * height >= PAGE_IMAGE_PIXELS) return true;
  }
  return false;
}

/** The bytes from `start` up to `end` (clamped to the file) as Latin-1 text. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  const stop = Math.min(end, bytes.byteLength);
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, stop - start).toString('latin1');
}
