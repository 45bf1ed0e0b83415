/**
 * Canonical JSON, as the Matrix spec defines it for events: keys sorted, no insignificant
 * whitespace, UTF-8, and only integers in [-(2^53)+1, 2^53-1] (room versions 6 and later reject
 * floats, which Synapse answers with 400 M_BAD_JSON).
 */

/** Encodes a JSON value canonically. Key order follows UTF-16 code units; the length is exact. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort();
    return (
      '{' +
      keys.map((key) => JSON.stringify(key) + ':' + canonicalJson(record[key])).join(',') +
      '}'
    );
  }
  return JSON.stringify(value);
}

/** Why a parsed value cannot go into an event, or undefined when it can. */
export function canonicalValueProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `Bad JSON value: float (${value})`;
    if (!Number.isSafeInteger(value)) return `JSON integer out of range (${value})`;
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = canonicalValueProblem(item);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    return canonicalValueProblem(Object.values(value));
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  return `Unknown JSON value (${typeof value})`;
}

/**
 * The first number literal in raw JSON text that is not a plain integer (`1.0`, `2e3`), or
 * undefined. `JSON.parse` turns `1.0` into `1`, so floats can only be caught in the text; Synapse
 * parses them as Python floats and refuses them.
 */
export function firstFloatLiteral(text: string): string | undefined {
  let inString = false;

  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++;
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) {
      inString = true;
      continue;
    }
    if (code !== 0x2d && (code < 0x30 || code > 0x39)) continue;

    let end = i;
    while (end < text.length && /[0-9eE.+-]/.test(text.charAt(end))) end++;
    const literal = text.slice(i, end);
    if (/[.eE]/.test(literal)) return literal;
    i = end - 1;
  }
  return undefined;
}
