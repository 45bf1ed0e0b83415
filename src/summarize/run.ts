/**
 * One summary through the model: the whole document in one request when it fits, else notes on
 * each part and merges, level by level, until one request writes the summary.
 *
 * Nothing is sent that the estimate says will not fit the context. When the server still says
 * it did not fit (a context-length error, or an answer cut off because the context ran out),
 * the run learns the real limit, or that its estimates run low, and sends the same text again
 * in two halves; never the same request twice. Notes on a part cut off at the token limit are
 * redone in halves too (merged notes cut off are used as they came: halving a group does not make
 * its notes shorter). Every part of the document reaches the final request: parts are never
 * dropped, only condensed.
 *
 * Known limit: the summary is one answer of at most `answerShare` of the context, so a very long
 * document keeps only as many of its points as that answer can hold.
 */
import { JobError } from '../errors.js';
import { logger } from '../log.js';
import { splitInTwo } from './chunk.js';
import { ContextOverflow, type Completion, type ModelClient } from './client.js';
import { ContextBelief } from './belief.js';
import { groupConsecutive, planReduce, type ReducePlan } from './plan.js';
import {
  buildChunkMessages,
  buildFinalMessages,
  buildMergeMessages,
  buildMessages,
  notesOf,
  type ChatMessage,
  type PromptSettings,
} from './prompt.js';
import { chunksOf, type TextScanner } from './scan.js';
import { tokenWeight } from './tokens.js';

const log = logger('summarize/run');

export interface RunSettings {
  /** The model's context, in tokens. */
  contextTokens: number;
  /** Share of the context for the summary itself (`max_tokens` of the final request). */
  answerShare: number;
  /** Most tokens for the summary, whatever the share. */
  maxAnswerTokens: number;
  /** Tokens of document per part when the document does not fit one request. */
  chunkTokens: number;
  /** Most characters of document in one request, if limited. */
  maxInputChars: number | undefined;
}

/** What a run did, for logs and the evaluation. */
export interface RunStats {
  /** Requests sent, retries included. */
  requests: number;
  /** Estimated tokens of the whole document. */
  documentTokens: number;
  /** Parts the document was first cut into (1 when it was sent whole). */
  parts: number;
  /** Tokens per part that the cut aimed at. */
  chunkTokens: number;
  /** Times a request's text was halved after a context or length problem. */
  splits: number;
  /** Requests the server said, or showed, did not fit its context. */
  overflows: number;
  /** The context the run ended up trusting, in tokens. */
  contextTokens: number;
}

/** Parts this small are not halved again; their notes are used as they came. */
const LEAST_SPLITTABLE_TOKENS = 200;
/** Notes shorter than this are not worth asking for. */
const LEAST_NOTE_TOKENS = 64;
/** A request that leaves less room than this for the document is pointless. */
const LEAST_INPUT_TOKENS = 128;
/** Notes on a part are at most this share of the part. */
const NOTE_SHARE = 0.25;
/** How much a note may be over-estimated compared with the server's count of it. */
const NOTE_SLACK = 1.3;
/** Words asked for per token allowed, leaving room for the model to overshoot. */
const WORDS_PER_TOKEN = 0.6;
/** Merge levels after which the run stops rather than loop on a model that will not shorten. */
const MOST_LEVELS = 12;

export class SummaryRun {
  readonly stats: RunStats;
  private readonly belief: ContextBelief;

  constructor(
    private readonly client: ModelClient,
    private readonly scanner: TextScanner,
    private readonly prompts: PromptSettings,
    private readonly settings: RunSettings,
    private readonly signal: AbortSignal,
    private readonly deadline: number | undefined,
  ) {
    this.belief = new ContextBelief(settings);
    this.stats = {
      requests: 0,
      documentTokens: 0,
      parts: 1,
      chunkTokens: 0,
      splits: 0,
      overflows: 0,
      contextTokens: settings.contextTokens,
    };
  }

  /**
   * The model's answer for the whole document, as text; `weight` is the document's estimated
   * tokens as {@link tokenWeight} counts them (measured off this thread for long documents).
   */
  async run(text: string, weight: number): Promise<string> {
    this.stats.documentTokens = this.belief.scaled(weight);
    const whole = (body: string) =>
      buildMessages(
        { text: body, fileName: this.prompts.fileName, pageCount: this.prompts.pageCount },
        this.prompts.maxKeyPoints,
        this.prompts.instructions,
        this.prompts.language,
      );
    // The prompt is built around the document only once the estimate says it may fit.
    const fitsChars = text.length <= (this.settings.maxInputChars ?? Infinity);
    const answer = this.belief.answerTokens;
    const room = this.belief.budget(answer, this.belief.estimate(whole('')));
    if (fitsChars && this.stats.documentTokens <= room) {
      const messages = whole(text);
      if (this.belief.fits(messages, answer)) {
        try {
          return (await this.request(messages, answer)).text;
        } catch (error) {
          if (!(error instanceof ContextOverflow) || !this.splittable(text)) throw error;
          this.stats.splits++;
        }
      }
    }
    return this.inParts(text, weight);
  }

  private async inParts(text: string, weight: number): Promise<string> {
    const mostNote = Math.min(
      this.belief.answerTokens,
      Math.ceil(this.settings.chunkTokens * NOTE_SHARE),
    );
    const chunkInput = this.belief.budget(
      mostNote,
      this.belief.estimate(buildChunkMessages('', PART, this.prompts, 9999)),
    );
    let target = Math.min(this.settings.chunkTokens, Math.floor(chunkInput / 1.25));
    const { maxInputChars } = this.settings;
    if (maxInputChars !== undefined) {
      target = Math.min(
        target,
        Math.floor((maxInputChars * this.belief.scaled(weight)) / text.length / 1.25),
      );
    }
    if (target < LEAST_INPUT_TOKENS) throw this.belief.tooSmall();
    const most = Math.min(chunkInput, Math.floor(target * 1.25));

    // The chunker counts unscaled estimates; the budget is in tokens as the server counts them.
    const unscaled = weight / Math.max(1, this.belief.scaled(weight));
    const options = { targetTokens: target * unscaled, maxTokens: most * unscaled };
    const chunks = chunksOf(text, await this.scanner.split(text, options, this.signal));
    this.stats.parts = chunks.length;
    this.stats.chunkTokens = target;
    const plan = this.plan(chunks.length, mostNote);
    log.debug('summarizing in parts', { parts: chunks.length, target, ...plan });

    // The first part goes alone: a server that is down then costs one request, not a burst,
    // and its answer shows the real context before the other parts are sent.
    const count = chunks.length;
    const condense = (text: string, i: number): Promise<string[]> =>
      this.condense(text, { index: i + 1, count }, plan.noteTokens);
    const [first, ...rest] = chunks;
    const firstNotes = first ? await condense(first.text, 0) : [];
    const restNotes = await this.inLanes(rest, (chunk, i) => condense(chunk.text, i + 1));
    return this.reduce([...firstNotes, ...restNotes.flat()], plan);
  }

  private plan(parts: number, mostNote: number): ReducePlan {
    const finalOverhead = this.belief.estimate(buildFinalMessages([], this.prompts));
    const mergeOverhead = this.belief.estimate(buildMergeMessages([], this.prompts, 9999));
    return planReduce({
      parts: Math.max(2, parts),
      finalInput: this.belief.budget(this.belief.answerTokens, finalOverhead),
      mergeInput: (maxTokens) => this.belief.budget(maxTokens, mergeOverhead),
      answerTokens: this.belief.answerTokens,
      mostNoteTokens: mostNote,
      leastNoteTokens: LEAST_NOTE_TOKENS,
      noteCost: (tokens) => Math.ceil(tokens * NOTE_SLACK) + 2,
    });
  }

  /** Notes on one part; more than one when the part had to be halved. */
  private async condense(
    text: string,
    part: { index: number; count: number },
    maxTokens: number,
  ): Promise<string[]> {
    const messages = buildChunkMessages(text, part, this.prompts, words(maxTokens));
    const halves = async (): Promise<string[]> => {
      this.stats.splits++;
      const pieces = splitInTwo(text);
      if (pieces.length < 2) throw this.belief.tooSmall();
      const notes = await Promise.all(
        pieces.map((piece) => this.condense(piece.text, part, maxTokens)),
      );
      return notes.flat();
    };

    if (!this.belief.fits(messages, maxTokens)) return halves();
    let completion: Completion;
    try {
      completion = await this.request(messages, maxTokens);
    } catch (error) {
      if (!(error instanceof ContextOverflow) || !this.splittable(text)) throw error;
      return halves();
    }
    const cut = completion.finish === 'length';
    if (cut && this.splittable(text)) return halves();
    return [notesOf(completion.text, { dropLastLine: cut }) || completion.text.trim()];
  }

  /** Merges notes level by level until the final request can read them all. */
  private async reduce(notes: string[], plan: ReducePlan): Promise<string> {
    let items = notes.filter((note) => note.length > 0);
    for (let level = 1; level <= MOST_LEVELS; level++) {
      const answerTokens = this.belief.answerTokens;
      const final = buildFinalMessages(items, this.prompts);
      if (this.belief.fits(final, answerTokens)) {
        try {
          return (await this.request(final, answerTokens)).text;
        } catch (error) {
          if (!(error instanceof ContextOverflow)) throw error;
          this.stats.splits++;
        }
      }
      const planned = level === 1 && plan.groups > 1;
      const finalInput = this.belief.budget(
        answerTokens,
        this.belief.estimate(buildFinalMessages([], this.prompts)),
      );
      const mergeTokens = planned
        ? plan.mergeTokens
        : Math.min(answerTokens, Math.floor(finalInput / 2));
      const groups = this.group(items, planned ? plan.groups : 1, mergeTokens);
      const outTokens = planned
        ? mergeTokens
        : Math.max(
            LEAST_NOTE_TOKENS,
            Math.min(mergeTokens, Math.floor(finalInput / groups.length / NOTE_SLACK)),
          );
      log.debug('merging notes', { level, notes: items.length, groups: groups.length, outTokens });
      const merged = await this.inLanes(groups, (group) => this.merge(group, outTokens));
      items = merged.flat();
    }
    throw new JobError(
      'summarizer_unavailable',
      `the model's notes did not get shorter after ${MOST_LEVELS} merge levels`,
    );
  }

  /** Consecutive groups of notes, `wanted` of them if each fits one merge request, else more. */
  private group(items: string[], wanted: number, mergeTokens: number): string[][] {
    const overhead = this.belief.estimate(buildMergeMessages([], this.prompts, 9999));
    const budget = this.belief.budget(mergeTokens, overhead);
    const costs = items.map((item) => this.belief.tokens(item) + 2);
    return groupConsecutive(costs, wanted, budget).map(([start, end]) => items.slice(start, end));
  }

  /** One group's notes merged; more than one result when the group had to be halved. */
  private async merge(group: string[], maxTokens: number): Promise<string[]> {
    const messages = buildMergeMessages(group, this.prompts, words(maxTokens));
    const halves = async (): Promise<string[]> => {
      this.stats.splits++;
      const parts =
        group.length > 1
          ? [group.slice(0, Math.ceil(group.length / 2)), group.slice(Math.ceil(group.length / 2))]
          : splitInTwo(group[0] ?? '').map((piece) => [piece.text]);
      if (parts.length < 2) throw this.belief.tooSmall();
      return (await Promise.all(parts.map((part) => this.merge(part, maxTokens)))).flat();
    };

    if (!this.belief.fits(messages, maxTokens)) return halves();
    let completion: Completion;
    try {
      completion = await this.request(messages, maxTokens);
    } catch (error) {
      if (!(error instanceof ContextOverflow)) throw error;
      if (group.length < 2 && !this.splittable(group[0] ?? '')) throw error;
      return halves();
    }
    // Merged notes cut at the token limit are used as they came: halving the group would not
    // make a model that will not shorten its notes any shorter, and could go on for ever.
    const cut = completion.finish === 'length';
    if (cut) log.warn('merged notes cut at the token limit; using what arrived', { maxTokens });
    return [notesOf(completion.text, { dropLastLine: cut }) || completion.text.trim()];
  }

  /**
   * Sends one request; what its answer or error shows about the context is learned before the
   * next waiting request gets its turn.
   */
  private async request(messages: ChatMessage[], maxTokens: number): Promise<Completion> {
    const estimate = this.belief.estimate(messages);
    try {
      return await this.client.complete(messages, maxTokens, this.signal, {
        deadline: this.deadline,
        onRequest: () => {
          // What the run learned while this request waited for its turn may rule it out.
          if (!this.belief.fits(messages, maxTokens)) {
            throw new ContextOverflow('the request no longer fits the context', {}, true);
          }
          this.stats.requests++;
        },
        onOverflow: (report) => this.belief.learn(report, estimate, maxTokens),
        onAnswer: (completion) => this.belief.check(completion, estimate, maxTokens),
      });
    } catch (error) {
      if (error instanceof ContextOverflow && !error.local) this.stats.overflows++;
      throw error;
    } finally {
      this.stats.contextTokens = this.belief.contextTokens;
    }
  }

  /**
   * `work` over every item, in order of the items, with as many under way as the model's
   * limiter lets through at once: a document of hundreds of parts does not build hundreds of
   * requests in one go, and leaves the limiter's line open to other summaries. After a failure
   * no further item is started.
   */
  private async inLanes<T, R>(
    items: readonly T[],
    work: (item: T, index: number) => Promise<R>,
  ): Promise<R[]> {
    const results: R[] = [];
    let next = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      while (!failed && next < items.length) {
        const index = next++;
        try {
          results[index] = await work(items[index] as T, index);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    const lanes = Math.min(this.client.concurrency, items.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    return results;
  }

  private splittable(text: string): boolean {
    return tokenWeight(text) >= LEAST_SPLITTABLE_TOKENS;
  }
}

/** A stand-in part number, for measuring the prompt around a part. */
const PART = { index: 999, count: 999 };

function words(tokens: number): number {
  return Math.max(20, Math.floor(tokens * WORDS_PER_TOKEN));
}
