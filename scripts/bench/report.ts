/**
 * What each scenario hands back, and how the whole run is printed: one Markdown table (ready to
 * paste into the README), the notes that say how each figure was taken, and for `--json` one
 * JSON object on the last line.
 */

export type JsonValue = number | string | boolean | null;

export interface Row {
  /** Figure name as printed, e.g. "reply p99 (txn arrival → reply stored)". */
  figure: string;
  /** The value with its unit, already formatted. */
  value: string;
  /** The target as printed ("≤ 100 ms"), or empty for a reference figure. */
  target?: string;
  /** Whether the target was met; undefined for a reference figure or a skipped row. */
  met?: boolean;
}

export interface ScenarioResult {
  /** "1. Acknowledgement under a burst" */
  title: string;
  rows: Row[];
  /** How the figures were taken, one sentence each. */
  notes: string[];
  /** Keys for the JSON line. */
  json: Record<string, JsonValue>;
  /** A per-item table in Markdown, printed with `--details`. */
  details?: string;
}

/** A row with a target: `value` is compared with `limit` by `op`. */
export function targetRow(
  figure: string,
  value: number,
  shown: string,
  op: '<=' | '>=',
  limit: number,
  targetText: string,
): Row {
  const met = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
  return { figure, value: shown, target: targetText, met };
}

export function referenceRow(figure: string, value: string): Row {
  return { figure, value };
}

/** The table of every scenario, in Markdown. */
export function renderTable(results: readonly ScenarioResult[]): string {
  const lines = ['| scenario | figure | value | target | |', '|---|---|--:|---|---|'];
  for (const result of results) {
    const scenario = result.title.split('.')[0] ?? result.title;
    for (const row of result.rows) {
      const verdict = row.met === undefined ? '' : row.met ? 'met' : '**missed**';
      lines.push(
        `| ${scenario} | ${row.figure} | ${row.value} | ${row.target ?? ''} | ${verdict} |`,
      );
    }
  }
  return lines.join('\n');
}

/** The notes of every scenario, under its title. */
export function renderNotes(results: readonly ScenarioResult[]): string {
  return results
    .map((result) => [`${result.title}`, ...result.notes.map((note) => `  - ${note}`)].join('\n'))
    .join('\n');
}

/** Every scenario's JSON keys merged, plus what the run itself adds. */
export function mergeJson(
  results: readonly ScenarioResult[],
  extra: Record<string, JsonValue>,
): Record<string, JsonValue> {
  return Object.assign({}, ...results.map((result) => result.json), extra);
}
