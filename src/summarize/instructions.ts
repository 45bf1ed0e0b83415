import { readFile } from 'node:fs/promises';

/**
 * Custom instructions for the model, read from a UTF-8 text file: for instance a team's own
 * triage format, in its own language. `{maxKeyPoints}` in the text is replaced by the number of
 * key points when the prompt is built.
 */

/** Longer instructions crowd out the document in small contexts; this is about 2,000 tokens. */
export const MAX_INSTRUCTIONS_CHARS = 8000;

/**
 * The instructions in `file`, without a byte-order mark or surrounding blank lines. Throws when
 * the file cannot be read, is empty, or is longer than {@link MAX_INSTRUCTIONS_CHARS}.
 */
export async function loadInstructions(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the summary instructions file ${file}: ${reason}`, {
      cause: error,
    });
  }
  const instructions = text.replace(/^\uFEFF/, '').trim();
  if (!instructions) {
    throw new Error(`expected summary instructions in ${file}, got an empty file`);
  }
  if (instructions.length > MAX_INSTRUCTIONS_CHARS) {
    throw new Error(
      `summary instructions in ${file} have ${instructions.length} characters; ` +
        `the limit is ${MAX_INSTRUCTIONS_CHARS}`,
    );
  }
  return instructions;
}
