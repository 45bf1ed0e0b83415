import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { ENV_OVERRIDES } from '../src/config/env.js';
import { ConfigError, loadConfig, resolveBackend } from '../src/config/load.js';
import { configSchema } from '../src/config/schema.js';
import { inProcessScanner } from '../src/summarize/scan.js';
import { createSummarizers } from '../src/summarizers.js';
import { tempDir } from './support/tmp.js';

const required = { HOMESERVER_URL: 'http://127.0.0.1:8008', HOMESERVER_DOMAIN: 'example.org' };

function writeConfig(dir: string, text: string): string {
  const file = path.join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

/** Every leaf key of the schema, as dotted paths. */
function schemaKeys(node: z.ZodType, prefix = ''): string[] {
  let current: unknown = node;
  while (!(current instanceof z.ZodObject)) {
    const inner = (current as { def?: { innerType?: unknown } }).def?.innerType;
    if (!inner) return [prefix];
    current = inner;
  }
  return Object.entries((current as z.ZodObject).shape).flatMap(([key, child]) =>
    schemaKeys(child as z.ZodType, prefix ? `${prefix}.${key}` : key),
  );
}

function yamlKeys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) =>
    yamlKeys(child, prefix ? `${prefix}.${key}` : key),
  );
}

describe('configuration', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('fills every key with its default when only the homeserver is given', () => {
    const config = loadConfig({ env: required });
    assert.equal(config.jobs.max_worker_threads, 3);
    assert.equal(config.jobs.db_path, 'data/jobs.sqlite');
    assert.equal(config.summarizer.backend, 'auto');
    assert.equal(resolveBackend(config), 'builtin');
  });

  it('lets the environment override the file', () => {
    const file = writeConfig(tmp.dir, 'jobs:\n  max_worker_threads: 2\n');
    const config = loadConfig({
      file,
      env: { ...required, MAX_WORKER_THREADS: '5', JOB_DB_PATH: '/tmp/x.sqlite' },
    });
    assert.equal(config.jobs.max_worker_threads, 5);
    assert.equal(config.jobs.db_path, '/tmp/x.sqlite');
  });

  it('lets the model concurrency follow the worker threads unless it is set', async () => {
    const pool = {
      summarize: () => Promise.reject(new Error('unused')),
      scanner: () => inProcessScanner,
    };
    const model = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_MODEL: 'm' };
    const follows = loadConfig({ env: { ...required, ...model, MAX_WORKER_THREADS: '5' } });
    const set = loadConfig({
      env: { ...required, ...model, MAX_WORKER_THREADS: '5', OPENAI_CONCURRENCY: '2' },
    });
    assert.equal((await createSummarizers(follows, pool)).concurrency, 5);
    assert.equal((await createSummarizers(set, pool)).concurrency, 2);
  });

  it('names the key and what was expected for a bad value', () => {
    const file = writeConfig(tmp.dir, 'jobs:\n  max_worker_threads: 0\n');
    assert.throws(
      () => loadConfig({ file, env: required }),
      (error: Error) =>
        error instanceof ConfigError && /jobs\.max_worker_threads: .*>=\s*1/.test(error.message),
    );
  });

  it('names the variable for an environment value of the wrong type', () => {
    assert.throws(
      () => loadConfig({ env: { ...required, MAX_JOB_RETRIES: 'three' } }),
      /MAX_JOB_RETRIES: expected a whole number, got "three"/,
    );
  });

  it('suggests the closest key for a misspelled one', () => {
    const file = writeConfig(tmp.dir, 'jobs:\n  max_worker_thread: 2\n');
    assert.throws(
      () => loadConfig({ file, env: required }),
      /jobs\.max_worker_thread: unknown key; did you mean "max_worker_threads"\?/,
    );
  });

  it('requires a server and a model when the openai backend is chosen', () => {
    assert.throws(
      () => loadConfig({ env: { ...required, SUMMARIZER_BACKEND: 'openai' } }),
      /summarizer\.openai\.base_url, summarizer\.openai\.model: required/,
    );
  });

  it('keeps the sample config in step with the schema', () => {
    const sample = parseYaml(readFileSync('config/config.sample.yaml', 'utf8')) as unknown;
    assert.ok(configSchema.safeParse(sample).success, 'the sample config is valid');
    const documented = new Set(yamlKeys(sample));
    const missing = schemaKeys(configSchema).filter((key) => !documented.has(key));
    // These have no default and are shown commented out in the sample.
    assert.deepEqual(missing, [
      'summarizer.instructions_file',
      'summarizer.openai.base_url',
      'summarizer.openai.concurrency',
    ]);
  });

  it('keeps .env.example in step with the variables the loader reads', () => {
    const listed = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    assert.deepEqual(listed.sort(), ENV_OVERRIDES.map((o) => o.variable).sort());
    const keys = new Set(schemaKeys(configSchema));
    for (const override of ENV_OVERRIDES) assert.ok(keys.has(override.key), override.key);
  });
});
