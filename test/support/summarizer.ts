import { OpenAiSummarizer, type OpenAiSummarizerOptions } from '../../src/summarize/openai.js';
import type { FakeLlmServer } from './llm-server.js';

/**
 * A summarizer of the loopback model server with millisecond backoffs, so that tests of
 * retries and splits do not wait; `options` replace any setting.
 */
export function summarizerOf(
  server: FakeLlmServer,
  options: Partial<OpenAiSummarizerOptions> = {},
): OpenAiSummarizer {
  return new OpenAiSummarizer({
    baseUrl: server.url,
    apiKey: '',
    model: 'fake',
    backoffBaseMs: 1,
    backoffMaxMs: 5,
    ...options,
  });
}
