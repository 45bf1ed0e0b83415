/**
 * The token arithmetic of a long summary: how much document one request can carry, and how long
 * the notes of each stage may be so that the calls stay within ⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1.
 *
 * A document cut into N parts costs N requests for the parts' notes and one final request. The
 * notes of all parts must then reach the final request, through at most ⌈log₄ N⌉ merges. So
 * notes are written no longer than the merges can take: with g merge groups, each part's notes
 * get a g-th share of what a merge request can read. The plan takes the fewest groups that leave
 * every part at least half its full share of notes (a merge level costs a round of waiting),
 * else the most groups allowed, with shorter notes.
 *
 * Known limit: notes are never asked shorter than 64 tokens, so the bound holds only while the
 * context can give each part that much; at 8,192 tokens that is up to about 3 million characters.
 */

/** Room a request leaves free beyond its estimate, since the estimate is rough. */
export function safetyMargin(contextTokens: number): number {
  return Math.max(32, Math.ceil(contextTokens * 0.03));
}

/**
 * Document tokens one request can carry in a context of `contextTokens`, when `overhead` tokens
 * of prompt surround the document and the answer may take `maxTokens`.
 */
export function inputBudget(contextTokens: number, maxTokens: number, overhead: number): number {
  return Math.floor(contextTokens - maxTokens - overhead - safetyMargin(contextTokens));
}

/** The most LLM calls a document of `documentTokens` cut into chunks of `chunkTokens` may take. */
export function callBound(documentTokens: number, chunkTokens: number): number {
  const parts = Math.max(1, documentTokens / chunkTokens);
  return Math.ceil(parts) + Math.ceil(Math.log(parts) / Math.log(4) - 1e-9) + 1;
}

/** Share of the most notes worth asking for that is enough to skip a merge level. */
const ENOUGH_NOTES = 0.5;

export interface ReduceLimits {
  /** Parts the document was cut into, at least 2. */
  parts: number;
  /** Tokens of notes the final request can read. */
  finalInput: number;
  /** Tokens of notes a merge request can read when its answer may take `maxTokens`. */
  mergeInput: (maxTokens: number) => number;
  /** Most tokens for the final answer, and so for any merge's answer. */
  answerTokens: number;
  /** Most tokens worth asking for the notes on one part. */
  mostNoteTokens: number;
  /** Fewest tokens worth asking for the notes on one part. */
  leastNoteTokens: number;
  /** How much a note's estimate may exceed its length as the server counted it, plus framing. */
  noteCost: (noteTokens: number) => number;
}

export interface ReducePlan {
  /** Merge groups before the final request; 1 means the parts' notes go straight to it. */
  groups: number;
  /** Most tokens for the notes on one part. */
  noteTokens: number;
  /** Most tokens for the merged notes of one group (0 when `groups` is 1). */
  mergeTokens: number;
}

export function planReduce(limits: ReduceLimits): ReducePlan {
  const most = Math.max(1, Math.ceil(Math.log(limits.parts) / Math.log(4) - 1e-9));
  let plan: ReducePlan = { groups: 1, noteTokens: 0, mergeTokens: 0 };
  for (let groups = 1; groups <= most; groups++) {
    let mergeTokens = 0;
    let readable = limits.finalInput;
    if (groups > 1) {
      mergeTokens = Math.min(
        limits.answerTokens,
        largestFitting(limits.finalInput, groups, limits),
      );
      readable = limits.mergeInput(mergeTokens);
    }
    const perGroup = Math.ceil(limits.parts / groups);
    const noteTokens = Math.min(limits.mostNoteTokens, largestFitting(readable, perGroup, limits));
    plan = { groups, noteTokens: Math.max(limits.leastNoteTokens, noteTokens), mergeTokens };
    if (noteTokens >= limits.mostNoteTokens * ENOUGH_NOTES) break;
  }
  return plan;
}

/**
 * Cuts items of the given costs, in order, into consecutive groups of at most `budget` each
 * (an item costlier than that stands alone) and, when `wanted` is more than 1, into about
 * `wanted` groups of similar cost. Returns each group's [start, end) indices.
 */
export function groupConsecutive(
  costs: readonly number[],
  wanted: number,
  budget: number,
): Array<[number, number]> {
  const share = costs.reduce((sum, cost) => sum + cost, 0) / Math.max(1, wanted);
  const groups: Array<[number, number]> = [];
  let start = 0;
  let used = 0;
  costs.forEach((cost, i) => {
    const full = used + cost > budget || (wanted > 1 && used >= share * 0.999);
    if (i > start && full) {
      groups.push([start, i]);
      start = i;
      used = 0;
    }
    used += cost;
  });
  if (start < costs.length) groups.push([start, costs.length]);
  return groups;
}

/** The largest note length n such that `count` notes of n tokens cost at most `budget`. */
function largestFitting(budget: number, count: number, limits: ReduceLimits): number {
  let low = 0;
  let high = Math.max(0, Math.floor(budget));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (count * limits.noteCost(middle) <= budget) low = middle;
    else high = middle - 1;
  }
  return low;
}
