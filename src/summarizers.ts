import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { resolveBackend } from './config/load.js';
import type { Config } from './config/schema.js';
import { describe } from './errors.js';
import { logger, redact } from './log.js';
import { BuiltinSummarizer, type SummarizeRunner } from './summarize/builtin.js';
import { OpenAiSummarizer } from './summarize/openai.js';
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
}

/** Builds every summarizer the configuration asks for. The bridge and the CLI both use this. */
export function createSummarizers(config: Config, pool: SummarizeRunner): Summarizers {
  const defaultInstructions = readInstructions(config.summarizer.instructions_file);
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
    };
  }
  const { openai } = config.summarizer;
  log.info('summarizing with an OpenAI-compatible server', { model: openai.model });
  return {
    summarizer: openAi(config, { instructions: defaultInstructions }),
    fallback: config.summarizer.fallback_to_builtin ? builtin : undefined,
    analyses: config.summarizer.analyses.map((analysis) => ({
      name: analysis.name,
      summarizer: openAi(config, {
        model: analysis.model,
        baseUrl: analysis.base_url,
        apiKey: analysis.api_key,
        instructions: readInstructions(analysis.instructions_file),
      }),
    })),
    fingerprint,
    defaultInstructions,
  };
}

/** An OpenAI-compatible summarizer from the openai section, with some settings replaced. */
function openAi(
  config: Config,
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
    maxInputChars: openai.max_input_chars,
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
      : ['openai', openai.base_url, openai.model, key_points, openai.max_input_chars, instructions];
  parts.push(JSON.stringify(config.summarizer.analyses));
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** The deployment's instructions for the model, from the configured file, if there is one. */
function readInstructions(file: string | undefined): string | undefined {
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new Error(`cannot read summarizer.instructions_file ${file}: ${describe(error)}`, {
      cause: error,
    });
  }
  if (!text) throw new Error(`summarizer.instructions_file ${file} is empty`);
  return text;
}
