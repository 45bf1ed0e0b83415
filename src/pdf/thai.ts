/**
 * Repairs Thai text that pdf.js returns as Latin-1 mojibake.
 *
 * Old Thai TeX and office fonts are 8-bit fonts laid out like TIS-620: Latin in the lower half,
 * Thai consonants, vowels and tone marks at 0xA1–0xFB, and positional variants of the marks at
 * 0x80–0x9F. Their glyph names ("ThaiCharacterKoKai") are not in the Adobe Glyph List, so
 * pdf.js falls back to the character codes and "ถ้าคุณ" comes out as "¶éÒ¤Ø³".
 * The codes are intact, so the text can be decoded again, one font at a time.
 *
 * A font is decoded only when most of its letters sit in the Thai range and the decoded result
 * obeys Thai spelling (marks follow consonants, leading vowels precede them). Cyrillic or Greek
 * mojibake has the same Latin-1 shape but fails that test and is left for the quality check.
 * A font that names some Thai glyphs after unrelated Latin ones (one in the corpus calls its
 * tone marks "circumflex" and "perthousand") keeps those few marks as the Latin characters.
 */

/** Fewer Thai-range characters than this are too few to judge a font by. */
const MIN_SAMPLE = 12;
/** Share of a font's letters that must be in the Thai range before decoding is tried. */
const MIN_THAI_RANGE_SHARE = 0.4;
/** Share of decoded characters that may break Thai spelling rules. */
const MAX_MISPLACED_SHARE = 0.05;

/**
 * 0x80–0x9F in these fonts: variants of marks shifted left or down to clear tall consonants,
 * consonants without their descender, and a few punctuation marks. Each maps to its base.
 */
const VARIANTS = String.fromCharCode(
  ...[0x0e10, 0x0e34, 0x0e35, 0x0e36, 0x0e37, 0x2026, 0x0e48, 0x0e49], // 0x80–0x87
  ...[0x0e4a, 0x0e4b, 0x0e4c, 0x0e48, 0x0e49, 0x0e4a, 0x0e4b, 0x0e4c], // 0x88–0x8F
  ...[0x0e0d, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014], // 0x90–0x97
  ...[0x0e31, 0x0e4d, 0x0e47, 0x0e48, 0x0e49, 0x0e4a, 0x0e4b, 0x0e4c], // 0x98–0x9F
);

const CONSONANT = /[\u0e01-\u0e2e]/u;
/** Vowel signs and tone marks written above or below the consonant before them. */
const MARK = /[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]/u;
/** Vowels written before the consonant they follow in speech. */
const LEADING_VOWEL = /[\u0e40-\u0e44]/u;

/** Decodes one character code of a Thai 8-bit font, or returns the character unchanged. */
function decodeChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code >= 0xa1 && code <= 0xfb) return String.fromCharCode(0x0e00 + code - 0xa0);
  if (code >= 0x80 && code <= 0x9f) return VARIANTS[code - 0x80] ?? char;
  if (code === 0xa0) return ' ';
  return char;
}

function decode(text: string): string {
  return text.replace(/[\u0080-\u00fb]/g, decodeChar);
}

/**
 * Whether the text of one font is Thai in a TIS-620 layout: `true` or `false` when there is
 * enough of it to judge, `undefined` when there is not.
 */
export function isThaiMojibake(text: string): boolean | undefined {
  let thaiRange = 0;
  let ascii = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code >= 0xa1 && code <= 0xfb) || (code >= 0x80 && code <= 0x9f)) thaiRange++;
    else if (/[A-Za-z]/.test(char)) ascii++;
  }
  if (thaiRange < MIN_SAMPLE) return undefined;
  if (thaiRange / (thaiRange + ascii) < MIN_THAI_RANGE_SHARE) return false;
  return misplacedShare(decode(text)) <= MAX_MISPLACED_SHARE;
}

/** Share of Thai characters that break spelling: stray marks, or vowels before no consonant. */
function misplacedShare(text: string): number {
  const chars = [...text];
  let thai = 0;
  let misplaced = 0;
  for (const [i, char] of chars.entries()) {
    if (char < '\u0e01' || char > '\u0e5b') continue;
    thai++;
    const before = chars[i - 1] ?? '';
    const after = chars[i + 1] ?? '';
    if (MARK.test(char) && !CONSONANT.test(before) && !MARK.test(before)) misplaced++;
    else if (LEADING_VOWEL.test(char) && !CONSONANT.test(after)) misplaced++;
  }
  return thai === 0 ? 1 : misplaced / thai;
}

/**
 * Decodes the text items of fonts judged to be Thai mojibake. `verdicts` carries each font's
 * verdict from page to page, so that a font with only a few characters on one page is still
 * decoded when an earlier page showed what it is.
 */
export function repairThai(
  items: ReadonlyArray<{ str: string; fontName: string }>,
  verdicts: Map<string, boolean>,
): string[] {
  const byFont = new Map<string, string>();
  for (const item of items) byFont.set(item.fontName, (byFont.get(item.fontName) ?? '') + item.str);
  for (const [font, text] of byFont) {
    if (verdicts.has(font)) continue;
    const verdict = isThaiMojibake(text);
    if (verdict !== undefined) verdicts.set(font, verdict);
  }
  return items.map((item) => (verdicts.get(item.fontName) ? decode(item.str) : item.str));
}
