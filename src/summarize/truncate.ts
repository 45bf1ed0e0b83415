/**
 * Cuts a text that is too long for one request, at the cleanest boundary in its last fifth.
 */

const SENTENCE_END = /[.!?؟۔]["'”’)\]]*\s|[。！？]["'”’」』）]*/gu;

/**
 * Returns the text unchanged if it fits in `maxChars`, else its beginning, ended at a paragraph
 * break, else after a sentence, else at a space, else at `maxChars` (or one less, rather than
 * split a surrogate pair).
 */
export function cutAtBoundary(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const end = /[\uD800-\uDBFF]/.test(text[maxChars - 1] ?? '') ? maxChars - 1 : maxChars;
  const head = text.slice(0, end);
  const floor = Math.floor(maxChars * 0.8);

  const paragraph = head.lastIndexOf('\n\n');
  if (paragraph >= floor) return head.slice(0, paragraph).trimEnd();

  let sentenceEnd = -1;
  for (const match of head.slice(floor).matchAll(SENTENCE_END)) {
    sentenceEnd = floor + (match.index ?? 0) + match[0].length;
  }
  if (sentenceEnd > 0) return head.slice(0, sentenceEnd).trimEnd();

  const space = head.search(/\s\S*$/);
  return (space >= floor ? head.slice(0, space) : head).trimEnd();
}
