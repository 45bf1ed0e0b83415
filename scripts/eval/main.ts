/**
 * `npm run eval [-- --json]`: scores the summaries offline and prints a table.
 *
 * 1. ROUGE of the built-in summarizer, Lead-3 and TextRank against the human-written summaries
 *    of `../shared/eval` (their own summary removed from the input first).
 * 2. Planted-fact recall of the long-document path through the loopback stand-in model, and
 *    its calls against the bound ⌈D/C⌉ + ⌈log₄(D/C)⌉ + 1.
 *
 * With `--json`, the last line is one JSON object with the headline numbers. Nothing leaves
 * this machine: the only server is the stand-in on 127.0.0.1.
 */
import { configureLogging } from '../../src/log.js';
import { WorkerPool } from '../../src/worker/pool.js';
import { evalDir } from '../../test/support/paths.js';
import { scoreCorpus } from './corpus.js';
import { plantedFactRecall } from './facts.js';
import { readManifest } from './manifest.js';
import { factTable, jsonLine, rougeTable, summarize } from './report.js';

const json = process.argv.slice(2).includes('--json');
configureLogging({ level: 'error', write: (line) => process.stderr.write(`${line}\n`) });

const pool = new WorkerPool({ size: 2, taskTimeoutMs: 120_000 });
await pool.start();
try {
  const started = performance.now();
  const corpus = await scoreCorpus(pool, await readManifest(evalDir));
  const facts = await plantedFactRecall(pool);
  const summary = summarize(corpus, facts);

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${rougeTable(corpus, summary)}\n\n${factTable(facts, summary)}\n`);
  process.stdout.write(`(${seconds} s)\n`);
  if (json) process.stdout.write(`${jsonLine(summary)}\n`);
} finally {
  await pool.close();
}
