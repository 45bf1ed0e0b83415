import { createHash } from 'node:crypto';

import { resolveBackend } from './config/load.js';
import type { Config } from './config/schema.js';
import { logger, redact } from './log.js';
import { BuiltinSummarizer, type SummarizeRunner } from './summarize/builtin.js';
import { loadInstructions } from './summarize/instructions.js';
import { Limiter } from './summarize/limiter.js';
import { OpenAiSummarizer } from './summarize/openai.js';
import { sharedMeasure, type TextScanner } from './summarize/scan.js';
import type { Summarizer } from './summarize/types.js';

const log = logger('Summarizers');

export interface Summarizers {
  /** The summarizer the configuration chose. */
  summarizer: Summarizer;
  /** The built-in one, when it may stand in for an unavailable model. */
  fallback: Summarizer | undefined;
  /** Extra analyses, each posted as its own reply. */
  analyses: Array<{ name: string; summarizer: Summarizer }>;
  /** Names the settings that shape a summary, for reusing stored ones. */
  fingerprint: string;
  /** The deployment's instructions for the model, if a file gives them. */
  defaultInstructions: string | undefined;
  /** Requests to the model server at once, all summarizers together; none for the built-in. */
  concurrency: number | undefined;
}

/** The worker pool as the summarizers use it: built-in summaries and passes over long texts. */
export interface SummarizerPool extends SummarizeRunner {
  scanner(): TextScanner;
}

/** Builds every summarizer the configuration asks for. The bridge and the CLI both use this. */
export async function createSummarizers(
  config: Config,
  pool: SummarizerPool,
): Promise<Summarizers> {
  const file = config.summarizer.instructions_file;
  const defaultInstructions = file ? await loadInstructions(file) : undefined;
  const builtin = new BuiltinSummarizer(pool, { maxKeyPoints: config.summarizer.key_points });
  const fingerprint = summarizerFingerprint(config, defaultInstructions);
  if (resolveBackend(config) === 'builtin') {
    log.info('summarizing with the built-in extractive summarizer');
    return {
      summarizer: builtin,
      fallback: undefined,
      analyses: [],
      fingerprint,
      defaultInstructions,
      concurrency: undefined,
    };
  }
  const { openai } = config.summarizer;
  // One limit on requests at once for the summary and every analysis together: by default one
  // request per job the bridge works on at once.
  const concurrency = openai.concurrency ?? config.jobs.max_worker_threads;
  log.info('summarizing with an OpenAI-compatible server', { model: openai.model, concurrency });
  const shared = { limiter: new Limiter(concurrency), scanner: sharedMeasure(pool.scanner()) };
  const analyses = [];
  for (const analysis of config.summarizer.analyses) {
    const own = analysis.instructions_file;
    const summarizer = openAi(config, shared, {
      model: analysis.model,
      baseUrl: analysis.base_url,
      apiKey: analysis.api_key,
      instructions: own ? await loadInstructions(own) : undefined,
    });
    analyses.push({ name: analysis.name, summarizer });
  }
  return {
    summarizer: openAi(config, shared, { instructions: defaultInstructions }),
    fallback: config.summarizer.fallback_to_builtin ? builtin : undefined,
    analyses,
    fingerprint,
    defaultInstructions,
    concurrency,
  };
}

/** An OpenAI-compatible summarizer from the openai section, with some settings replaced. */
function openAi(
  config: Config,
  shared: { limiter: Limiter; scanner: TextScanner },
  own: { model?: string; baseUrl?: string; apiKey?: string; instructions?: string },
): OpenAiSummarizer {
  const { openai, key_points } = config.summarizer;
  const baseUrl = own.baseUrl ?? openai.base_url;
  if (!baseUrl) throw new Error('summarizer.openai.base_url is required for an analysis');
  if (own.apiKey) redact(own.apiKey);
  return new OpenAiSummarizer({
    baseUrl,
    apiKey: own.apiKey ?? openai.api_key,
    model: own.model ?? openai.model,
    requestTimeoutMs: openai.request_timeout_seconds * 1000,
    maxAttempts: openai.max_attempts,
    maxRetryAfterMs: openai.max_retry_after_seconds * 1000,
    contextTokens: openai.context_tokens,
    answerShare: openai.answer_share,
    maxAnswerTokens: openai.max_answer_tokens,
    chunkTokens: openai.chunk_tokens,
    summaryTimeoutMs: openai.summary_timeout_seconds * 1000,
    ...shared,
    temperature: openai.temperature,
    maxKeyPoints: key_points,
    instructions: own.instructions,
  });
}

/** What makes two summaries of the same file differ: which summarizer, model and settings. */
function summarizerFingerprint(config: Config, instructions: string | undefined): string {
  const { openai, key_points } = config.summarizer;
  const parts =
    resolveBackend(config) === 'builtin'
      ? ['builtin', key_points]
      : [
          'openai',
          openai.base_url,
          openai.model,
          key_points,
          openai.context_tokens,
          openai.chunk_tokens,
          openai.answer_share,
          instructions,
          JSON.stringify(config.summarizer.analyses),
        ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}
