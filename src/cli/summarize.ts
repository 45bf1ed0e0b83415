import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import { loadEnvironment } from '../config/environment.js';
import { ConfigError, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { toJobError } from '../errors.js';
import { configureLogging, redact } from '../log.js';
import { BuiltinSummarizer } from '../summarize/builtin.js';
import { withFormFields } from '../pipeline.js';
import { createSummarizers } from '../summarizers.js';
import { WorkerPool } from '../worker/pool.js';
import { commandLine, userPath } from './args.js';

/**
 * Summarizes local PDFs without Matrix, through the same worker pool and summarizer the bridge
 * uses: `npm run summarize -- file.pdf [more.pdf …] [--config config/config.yaml]`. For admins
 * checking their set-up (model reachable, limits sensible) before they register the bridge.
 */
const USAGE = 'npm run summarize -- file.pdf [more.pdf …] [--config FILE] [--builtin]';
const { values, positionals } = commandLine(
  {
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      builtin: { type: 'boolean', default: false },
    },
  },
  USAGE,
);

if (positionals.length === 0) {
  console.error(`usage: ${USAGE}`);
  process.exit(2);
}

// The default config is used when it is there; a config named on the command line must be.
const configPath = userPath(values.config ?? 'config/config.yaml');
if (values.config !== undefined && !existsSync(configPath)) {
  console.error(`no config file at ${configPath}`);
  process.exit(2);
}
const configFile = existsSync(configPath) ? configPath : undefined;
let config: Config;
try {
  // The homeserver is irrelevant here; placeholders let a config without one load.
  const env = { HOMESERVER_URL: 'http://127.0.0.1', HOMESERVER_DOMAIN: 'localhost' };
  config = loadConfig({ file: configFile, env: { ...env, ...loadEnvironment() } });
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
configureLogging({ level: config.logging.level === 'debug' ? 'debug' : 'warn' });
redact(config.summarizer.openai.api_key);

const pool = new WorkerPool({
  size: Math.min(config.jobs.max_worker_threads, positionals.length),
  memoryLimitMb: config.limits.worker_memory_mb,
  taskTimeoutMs: config.limits.extract_timeout_seconds * 1000,
});
await pool.start();

const built = await createSummarizers(config, pool);
const summarizer = values.builtin
  ? new BuiltinSummarizer(pool, { maxKeyPoints: config.summarizer.key_points })
  : built.summarizer;

let failures = 0;
for (const file of positionals.map(userPath)) {
  const started = performance.now();
  try {
    const bytes = statSync(file).size;
    if (bytes > config.limits.max_file_mb * 1024 * 1024) {
      throw new Error(`${file} is ${bytes} bytes; the limit is ${config.limits.max_file_mb} MB`);
    }
    const limits = { maxPages: config.limits.max_pages, maxChars: config.limits.max_text_chars };
    const document = await pool.extract(file, limits);
    const input = {
      text: withFormFields(document),
      fileName: path.basename(file),
      pageCount: document.pageCount,
    };
    const summary = await summarizer.summarize(input, AbortSignal.timeout(600_000));
    const ms = Math.round(performance.now() - started);
    console.log(
      `# ${path.basename(file)}: ${document.pageCount} pages, ` +
        `${document.text.length} chars, ${summary.producer}, ${ms} ms`,
    );
    if (document.failedPages.length)
      console.log(`(${document.failedPages.length} pages could not be read)`);
    if (document.truncated) {
      console.log(
        `(only the first ${document.pagesRead} of ${document.pageCount} pages were read: ` +
          'limits.max_pages or limits.max_text_chars)',
      );
    }
    console.log('');
    console.log(summary.gist);
    for (const point of summary.keyPoints) console.log(`- ${point}`);
    if (document.formFields.length) console.log('Filled-in form fields:');
    for (const field of document.formFields) console.log(`  ${field}`);
    console.log('');
  } catch (error) {
    failures++;
    const jobError = toJobError(error);
    const told = jobError.code === 'internal' ? jobError.message : jobError.userMessage;
    console.log(`# ${path.basename(file)}: not summarized (${jobError.code})\n${told}\n`);
  }
}
await pool.close();
process.exit(failures > 0 ? 1 : 0);
