/**
 * What one summary believes about the model's context, and how it learns better.
 *
 * It starts from the configured context and the tokenizer-free estimate ({@link tokenWeight}).
 * The server then corrects it: a context-length error that names the limit shrinks the context,
 * one that names the prompt size (or a `usage` that counts more than estimated) scales every
 * later estimate up, and a context that ran out without an error is turned into the error a
 * stricter server would have sent: a prompt counted far shorter than sent (Ollama cuts it
 * silently), or an answer cut at "length" before reaching its own limit.
 *
 * A prompt counted shorter than estimated is not by itself a cut: a tokenizer more efficient
 * than the estimate (Korean at half a token per syllable) counts less too. The answer tells them
 * apart, since nothing cuts it: the server's count of the answer against the estimate of its
 * text shows how the server counts, and only a prompt counted far below that is taken as cut.
 *
 * Known limit: estimates are scaled up, never down. One scale covers the English instructions
 * and the document alike, so a scale learned from a Korean part would make the next, more
 * English, request overflow a strict server; an efficient tokenizer only gets smaller parts.
 */
import { JobError } from '../errors.js';
import { logger } from '../log.js';
import { ContextOverflow, type Completion } from './client.js';
import type { ContextReport } from './failures.js';
import { inputBudget, safetyMargin } from './plan.js';
import { MESSAGE_FRAMING_TOKENS, type ChatMessage } from './prompt.js';
import { tokenWeight } from './tokens.js';

const log = logger('summarize/context');

export interface BeliefSettings {
  /** The model's context, in tokens, as configured. */
  contextTokens: number;
  /** Share of the context for the summary itself. */
  answerShare: number;
  /** Most tokens for the summary, whatever the share. */
  maxAnswerTokens: number;
}

/**
 * A prompt counted below this share of its estimate was cut by the server without a word; the
 * estimate is first scaled by how the server counted the answer (see {@link countShare}).
 */
const SILENT_CUT_RATIO = 0.4;
/** Only prompts this long are judged for silent cuts; short ones vary too much. */
const SILENT_CUT_LEAST_TOKENS = 1024;
/** Only answers this long show how the server counts; shorter ones are taken at 1. */
const LEAST_MEASURED_ANSWER_TOKENS = 32;
/** Estimates are never scaled further up than this. */
const MOST_SCALE = 4;
/** Fewest tokens of notes, and of document room, a request must still be able to carry. */
const LEAST_NOTE_TOKENS = 64;
const LEAST_INPUT_TOKENS = 128;

export class ContextBelief {
  /** The context believed in; shrinks when the server shows it is smaller. */
  private context: number;
  /** Estimates are multiplied by this; grows when the server counts more tokens than guessed. */
  private scale = 1;

  constructor(private readonly settings: BeliefSettings) {
    this.context = settings.contextTokens;
  }

  get contextTokens(): number {
    return this.context;
  }

  /** Most tokens for the summary: a share of the context as now believed, within the cap. */
  get answerTokens(): number {
    const share = Math.floor(this.context * this.settings.answerShare);
    return Math.min(this.settings.maxAnswerTokens, share);
  }

  /** Estimated tokens of a text, as the server is now believed to count them. */
  tokens(text: string): number {
    return this.scaled(tokenWeight(text));
  }

  /** The same from a {@link tokenWeight} already worked out. */
  scaled(weight: number): number {
    return Math.ceil(weight * this.scale);
  }

  /** Estimated tokens of a request's prompt, message framing included. */
  estimate(messages: ChatMessage[]): number {
    const text = messages.reduce((sum, message) => sum + tokenWeight(message.content), 0);
    return Math.ceil(text * this.scale) + MESSAGE_FRAMING_TOKENS * (messages.length + 1);
  }

  /** Whether `messages`, with room for an answer of `maxTokens`, fit the context. */
  fits(messages: ChatMessage[], maxTokens: number): boolean {
    return this.estimate(messages) + maxTokens + safetyMargin(this.context) <= this.context;
  }

  /** Document tokens a request can carry around `overhead` with an answer of `maxTokens`. */
  budget(maxTokens: number, overhead: number): number {
    return inputBudget(this.context, maxTokens, overhead);
  }

  /**
   * Learns from an answer's usage. Throws a ContextOverflow when the context ran out unsaid;
   * `estimate` is what {@link estimate} said of the prompt before it was sent.
   */
  check(completion: Completion, estimate: number, maxTokens: number): void {
    const { promptTokens, completionTokens, finish } = completion;
    if (promptTokens === undefined) return;
    const raw = estimate / this.scale;
    const expected = raw * countShare(completion);
    if (raw >= SILENT_CUT_LEAST_TOKENS && promptTokens < expected * SILENT_CUT_RATIO) {
      const report = { limit: promptTokens + (completionTokens ?? 0) };
      this.learn(report, estimate, maxTokens);
      const read = `server read ${promptTokens} of about ${Math.round(expected)} tokens`;
      throw new ContextOverflow(read, report);
    }
    this.scale = Math.min(MOST_SCALE, Math.max(this.scale, promptTokens / raw));
    const ranOut =
      completionTokens !== undefined &&
      (completionTokens < maxTokens * 0.9 ||
        promptTokens + completionTokens >= this.context * 0.97);
    if (finish === 'length' && ranOut) {
      const report = { limit: promptTokens + (completionTokens ?? 0), promptTokens };
      this.learn(report, estimate, maxTokens);
      throw new ContextOverflow(`context ran out after ${report.limit} tokens`, report);
    }
  }

  /**
   * Adjusts the context and the estimate scale after the server said a request did not fit.
   * Throws a JobError when what is left of the context cannot carry any document.
   */
  learn(report: ContextReport, estimate: number, maxTokens: number): void {
    const raw = estimate / this.scale;
    if (report.promptTokens !== undefined && report.promptTokens > estimate) {
      this.scale = Math.min(MOST_SCALE, report.promptTokens / raw);
    }
    if (report.limit !== undefined && report.limit < this.context) {
      this.context = report.limit;
    } else if (report.promptTokens === undefined) {
      // The limit is not smaller than believed, or unknown: the estimate ran low.
      this.scale = Math.min(MOST_SCALE, this.scale * 1.25);
      if (report.limit === undefined) {
        this.context = Math.min(this.context, Math.floor((estimate + maxTokens) * 0.9));
      }
    }
    log.warn('request did not fit the model context; sending less', {
      context: this.context,
      scale: Math.round(this.scale * 100) / 100,
    });
    if (this.budget(LEAST_NOTE_TOKENS, 0) < LEAST_INPUT_TOKENS) throw this.tooSmall();
  }

  tooSmall(): JobError {
    return new JobError(
      'summarizer_rejected',
      `the model's context of ${this.context} tokens leaves too little room for the document ` +
        `after the instructions and an answer of ${this.answerTokens} tokens`,
    );
  }
}

/**
 * The share of the estimate the server counts, as its answer shows: the answer's completion
 * tokens over the estimate of its text, at most 1 (a thinking model counts tokens it does not
 * show). An answer too short to measure, or without a count, gives 1.
 */
function countShare({ text, completionTokens }: Completion): number {
  const weight = tokenWeight(text);
  if (completionTokens === undefined || weight < LEAST_MEASURED_ANSWER_TOKENS) return 1;
  return Math.min(1, completionTokens / weight);
}
