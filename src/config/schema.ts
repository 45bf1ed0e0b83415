import { z } from 'zod';

/**
 * The one schema for the bridge's configuration. Every key has a default and a description,
 * and names carry their unit (`_seconds`, `_mb`). The YAML file uses these names as they are;
 * environment variables override single keys (see `env.ts`).
 */

/** A duration in seconds: up to a day, so every timer built from it stays within range. */
const seconds = (fallback: number, description: string) =>
  z.number().positive().max(86_400).default(fallback).describe(description);

/** A whole number of things, at least one. */
const count = (fallback: number, description: string) =>
  z.number().int().min(1).default(fallback).describe(description);

const homeserver = z.strictObject({
  url: z
    .url({ protocol: /^https?$/ })
    .describe(
      'Where the bridge reaches the homeserver\'s client-server API, e.g. "http://localhost:8008".',
    ),
  domain: z
    .string()
    .regex(/^[A-Za-z0-9.:-]+$/, 'expected a server name such as "example.org"')
    .describe('The homeserver\'s server name: the part after ":" in user ids.'),
});

const appservice = z
  .strictObject({
    registration_path: z
      .string()
      .default('registration.yaml')
      .describe('The registration file written by `npm run register` and given to the homeserver.'),
    bind_address: z
      .string()
      .default('127.0.0.1')
      .describe('Address the appservice listens on. Keep it internal: /health needs no token.'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(9000)
      .describe('Port the appservice listens on; 0 picks a free one (tests).'),
    max_body_mb: z
      .number()
      .positive()
      .default(32)
      .describe('Largest transaction body accepted. Synapse sends up to 100 events of 64 KiB.'),
  })
  .prefault({});

const bot = z
  .strictObject({
    display_name: z.string().default('PDF summarizer').describe("The bot's display name."),
    allowed_inviters: z
      .array(
        z
          .string()
          .regex(/^(@[^:]+)?:[A-Za-z0-9.:-]+$|^\*$/, 'expected "@user:server", ":server" or "*"'),
      )
      .default(['*'])
      .describe(
        'Who may invite the bot: user ids, ":server" for a whole homeserver, or "*" for anyone.',
      ),
  })
  .prefault({});

const jobs = z
  .strictObject({
    db_path: z
      .string()
      .default('data/jobs.sqlite')
      .describe('The SQLite file that holds the job queue.'),
    download_dir: z
      .string()
      .default('data/downloads')
      .describe('Where uploads are kept while their job runs. Emptied of leftovers at start-up.'),
    max_worker_threads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(3)
      .describe('How many PDFs are worked on at once, each in its own worker thread.'),
    max_retries: z
      .number()
      .int()
      .min(0)
      .max(20)
      .default(3)
      .describe('Retries after a transient fault (network, overload) before the job fails.'),
    retry_delay_seconds: seconds(
      5,
      'First delay before a retry; it doubles each time, with jitter.',
    ),
    lease_seconds: seconds(60, 'How long a claimed job stays claimed without a heartbeat.'),
    poll_seconds: seconds(
      5,
      'How often due retries, expired claims and unsent replies are picked up.',
    ),
    shutdown_grace_seconds: seconds(
      30,
      'On SIGTERM, how long running jobs may finish; the rest resume at the next start.',
    ),
    cleanup_hours: z
      .number()
      .positive()
      .default(72)
      .describe('Finished and failed jobs older than this are deleted.'),
  })
  .prefault({});

const limits = z
  .strictObject({
    max_file_mb: z.number().positive().default(50).describe('Largest PDF downloaded.'),
    max_pages: z.number().int().positive().default(3000).describe('Longest PDF read, in pages.'),
    max_text_chars: z
      .number()
      .int()
      .positive()
      .default(4_000_000)
      .describe('Text kept from one PDF; reading stops there.'),
    job_timeout_seconds: seconds(
      900,
      'Deadline for one attempt at a job, from download to summary, whatever each stage allows.',
    ),
    download_timeout_seconds: seconds(60, 'Deadline for downloading one file.'),
    max_queued_per_user: count(20, 'Uploads one person may have waiting or running at once.'),
    max_queued_per_room: count(50, 'Uploads one room may have waiting or running at once.'),
    max_uploads_per_user_per_hour: count(60, 'Uploads accepted from one person in an hour.'),
    max_uploads_per_room_per_hour: count(200, 'Uploads accepted from one room in an hour.'),
    extract_timeout_seconds: seconds(180, 'Deadline for reading one PDF in a worker thread.'),
    worker_memory_mb: z
      .number()
      .int()
      .min(64)
      .default(768)
      .describe('Heap limit of each worker thread; a PDF that needs more fails alone.'),
  })
  .prefault({});

const openai = z
  .strictObject({
    base_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Base URL of an OpenAI-compatible API, e.g. "http://localhost:11434/v1" for Ollama.',
      ),
    api_key: z.string().default('').describe('API key; leave empty for servers that need none.'),
    model: z.string().default('').describe('Model name as the server knows it.'),
    request_timeout_seconds: seconds(120, 'Deadline for one request to the model.'),
    max_attempts: z.number().int().min(1).max(10).default(3).describe('Tries per request.'),
    max_retry_after_seconds: seconds(60, 'Longest Retry-After the bridge is willing to honour.'),
    context_tokens: z
      .number()
      .int()
      .min(1024)
      .default(8192)
      .describe("The model's context window, in tokens, as the server is really run."),
    answer_share: z
      .number()
      .min(0.05)
      .max(0.75)
      .default(0.25)
      .describe('Share of the context kept for the answer.'),
    max_answer_tokens: z
      .number()
      .int()
      .min(64)
      .default(4096)
      .describe('Most tokens asked for one answer.'),
    chunk_tokens: z
      .number()
      .int()
      .min(256)
      .default(3000)
      .describe('Size of the parts a document longer than the context is cut into.'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'Requests to the server at once, across all jobs and analyses. ' +
          'Default: jobs.max_worker_threads, one per job worked on at once.',
      ),
    summary_timeout_seconds: seconds(900, 'Deadline for all the requests of one summary.'),
    temperature: z.number().min(0).max(2).default(0.2).describe('Sampling temperature.'),
  })
  .prefault({});

const analysis = z.strictObject({
  name: z.string().min(1).max(60).describe('Title of the reply, e.g. "Second opinion".'),
  model: z.string().min(1).describe('Model that makes this analysis.'),
  base_url: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe('Its server; summarizer.openai.base_url when left out.'),
  api_key: z.string().optional().describe('Its key; summarizer.openai.api_key when left out.'),
  instructions_file: z.string().optional().describe('Its own instructions for the model.'),
});

const summarizer = z
  .strictObject({
    backend: z
      .enum(['auto', 'builtin', 'openai'])
      .default('auto')
      .describe(
        '"builtin" needs no network; "openai" uses the server below; ' +
          '"auto" picks openai when an API key or base URL is set.',
      ),
    fallback_to_builtin: z
      .boolean()
      .default(true)
      .describe(
        'When the model stays unavailable, answer with the built-in summary instead of an error.',
      ),
    key_points: z.number().int().min(1).max(20).default(5).describe('Key points in a summary.'),
    instructions_file: z
      .string()
      .optional()
      .describe(
        'A text file with the instructions given to the model, replacing the built-in ones ' +
          '(e.g. for a field or a language); rooms can override them by command.',
      ),
    language: z
      .string()
      .regex(/^(auto|[a-z]{2,3})$/, 'expected "auto" or a language code such as "en" or "pt"')
      .default('auto')
      .describe('Language summaries are written in; "auto" uses the document\'s own.'),
    openai,
    analyses: z
      .array(analysis)
      .max(5)
      .default([])
      .describe('More analyses of each PDF by other models or prompts, each its own reply.'),
  })
  .prefault({});

const logging = z
  .strictObject({
    level: z
      .enum(['debug', 'info', 'warn', 'error'])
      .default('info')
      .describe('Least severe level logged.'),
    format: z
      .enum(['text', 'json'])
      .default('text')
      .describe('One line per record, as text or JSON.'),
  })
  .prefault({});

export const configSchema = z.strictObject({
  homeserver,
  appservice,
  bot,
  jobs,
  limits,
  summarizer,
  logging,
});

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
