import { readFileSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

import { configSchema } from '../../src/config/schema.js';
import { configureLogging } from '../../src/log.js';
import { openPdf } from '../../src/pdf/open.js';
import { readPages } from '../../src/pdf/pages.js';
import type { ExtractedDocument } from '../../src/pdf/types.js';
import { WorkerPool } from '../../src/worker/pool.js';
import { corpusFile } from './corpus.js';
import type { ExtractReport, ProbeReply, ProbeRequest } from './pool-protocol.js';
import { now } from './stats.js';
import { visibleChars } from './text-count.js';

/**
 * A child process that holds the project's WorkerPool and nothing else, so that its memory
 * is the pool's (see pool-protocol.ts). Started by the benchmark with `fork`; it answers each
 * request over IPC and exits on `stop` or when the benchmark goes away.
 */

if (!process.send) throw new Error('pool-probe.js must be started with child_process.fork');
const send = (reply: ProbeReply) => process.send!(reply);
configureLogging({ level: 'warn' });

// The bridge's own defaults (heap limit, extraction deadline, page limit), except that the
// character limit is lifted: pdftotext reads every page, so the project must too.
const defaults = configSchema.parse({
  homeserver: { url: 'http://127.0.0.1:8008', domain: 'bench.localhost' },
}).limits;
const WHOLE_FILE_CHARS = 100_000_000;
const limits = { maxPages: defaults.max_pages, maxChars: WHOLE_FILE_CHARS };
let pool: WorkerPool | undefined;

process.on('disconnect', () => void shutdown());
process.on('message', (request: ProbeRequest) => {
  handle(request).catch((error: unknown) => send({ type: 'failed', message: String(error) }));
});

async function handle(request: ProbeRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      const baselineMb = memory().rssMb;
      pool = new WorkerPool({
        size: request.size,
        memoryLimitMb: defaults.worker_memory_mb,
        taskTimeoutMs: defaults.extract_timeout_seconds * 1000,
      });
      await pool.start();
      await new Promise((resolve) => setTimeout(resolve, 300));
      send({ type: 'started', baselineMb, startedMb: memory().rssMb });
      return;
    }
    case 'extract':
      send(await extract(request.file, request.repeat));
      return;
    case 'batch': {
      const cpu = process.cpuUsage();
      const started = now();
      await Promise.all(
        request.files.map((file) => pool!.extract(corpusFile(file), limits).catch(() => null)),
      );
      const used = process.cpuUsage(cpu);
      send({ type: 'batch', ms: now() - started, cpuMs: (used.user + used.system) / 1000 });
      return;
    }
    case 'spin':
      send({ type: 'spin', ms: await spin(request.threads) });
      return;
    case 'raw':
      send({ type: 'raw', chars: await rawChars(request.file) });
      return;
    case 'stop':
      await shutdown();
      return;
  }
}

async function extract(file: string, repeat: number): Promise<ExtractReport> {
  if (!pool) throw new Error('extract before start');
  const rssBeforeMb = memory().rssMb;
  // Writing 5 to clear_refs resets the peak to the current RSS, so VmHWM covers this file only.
  writeFileSync('/proc/self/clear_refs', '5');
  const ms: number[] = [];
  let document: ExtractedDocument | undefined;
  let peakMb = 0;
  let error: string | undefined;
  for (let i = 0; i < repeat; i++) {
    const started = now();
    try {
      document = await pool.extract(corpusFile(file), limits);
    } catch (caught) {
      const code = (caught as { code?: unknown }).code;
      error = `${String(code ?? 'error')}: ${(caught as Error).message}`;
    }
    ms.push(now() - started);
    if (i === 0) peakMb = memory().hwmMb;
  }
  return {
    type: 'extracted',
    file,
    ms,
    rssBeforeMb,
    peakMb,
    chars: document ? visibleChars(document.text) : 0,
    pageCount: document?.pageCount ?? 0,
    notes: document ? differenceNotes(document) : [],
    error,
  };
}

/** A loop of integer arithmetic, the same in every thread; nothing allocated, nothing shared. */
const SPIN = `
  const { parentPort } = require('node:worker_threads');
  let x = 0;
  for (let i = 0; i < 3e8; i++) x = (x + i * 7) % 1000003;
  parentPort.postMessage(x);
`;

/** Wall time for `threads` threads to run the loop each, all at once. */
async function spin(threads: number): Promise<number> {
  const started = now();
  await Promise.all(
    Array.from({ length: threads }, async () => {
      const worker = new Worker(SPIN, { eval: true });
      await new Promise((resolve) => worker.once('message', resolve));
      await worker.terminate();
    }),
  );
  return now() - started;
}

/** Characters of the page text as pdf.js gives it, before the project's clean-up. */
async function rawChars(file: string): Promise<number> {
  const pdf = await openPdf(new Uint8Array(readFileSync(corpusFile(file))), true);
  try {
    const pages = await readPages(pdf, WHOLE_FILE_CHARS);
    return visibleChars(pages.texts.join('\n'));
  } finally {
    await pdf.destroy();
  }
}

/** What the project did to the text that pdftotext does not do. */
function differenceNotes(document: ExtractedDocument): string[] {
  const removed = Object.entries(document.removed)
    .filter(([, count]) => count > 0)
    .map(([what, count]) => `${what} ${count}`);
  const notes = removed.length > 0 ? [`clean-up removed ${removed.join(', ')}`] : [];
  if (document.failedPages.length > 0) notes.push(`${document.failedPages.length} pages failed`);
  if (document.truncated) notes.push('cut at the character limit');
  if (document.garbled) notes.push('text judged garbled');
  return notes;
}

function memory(): { rssMb: number; hwmMb: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function shutdown(): Promise<void> {
  await pool?.close();
  process.exit(0);
}
