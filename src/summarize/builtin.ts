import type { ExtractiveOptions } from './extractive.js';
import type { Summarizer, Summary, SummaryInput } from './types.js';

/** The part of the worker pool the built-in summarizer needs. */
export interface SummarizeRunner {
  summarize(
    text: string,
    options: Partial<ExtractiveOptions>,
    call?: { signal?: AbortSignal },
  ): Promise<{ gist: string; keyPoints: string[] }>;
}

/**
 * The summarizer that needs no network and no key: extractive ranking of the document's own
 * sentences, run in a worker thread because it is CPU work.
 */
export class BuiltinSummarizer implements Summarizer {
  readonly kind = 'built-in';

  constructor(
    private readonly runner: SummarizeRunner,
    private readonly options: Partial<ExtractiveOptions> = {},
  ) {}

  async summarize(input: SummaryInput, signal: AbortSignal): Promise<Summary> {
    const { gist, keyPoints } = await this.runner.summarize(input.text, this.options, { signal });
    return { gist, keyPoints, producer: this.kind };
  }
}
