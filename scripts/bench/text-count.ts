/**
 * Characters of text as both extractors are compared: NFKC-normalized, format characters (Cf,
 * such as the bidi marks pdftotext wraps RTL runs in) removed, whitespace not counted.
 */
export function visibleChars(text: string): number {
  const normalized = text
    .normalize('NFKC')
    .replace(/\p{Cf}/gu, '')
    .replace(/\s+/gu, '');
  let count = 0;
  for (const _ of normalized) count++;
  return count;
}
