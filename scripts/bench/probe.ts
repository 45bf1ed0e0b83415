import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { Session } from 'node:inspector';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/**
 * Preloaded into the real bridge process (`NODE_OPTIONS=--import=…/probe.js`) so the benchmark
 * can see its main thread from outside without a change to `src/`. It watches the event loop
 * with `monitorEventLoopDelay` and, on SIGUSR2, writes one line to stderr:
 *
 *     bench-probe {"max_ms":…,"p99_ms":…,"mean_ms":…,"samples":…,"rss_mb":…}
 *
 * then starts a fresh histogram, so each line covers the time since the previous signal.
 * With `BENCH_PROFILE_DIR` set it also records a CPU profile of the main thread over each
 * period, written there as `bridge-<pid>-<n>.cpuprofile` (open it in Chrome's DevTools).
 * Worker threads load it too and do nothing.
 */

/** Timer resolution of the monitor; a stall shorter than this cannot be seen. */
const RESOLUTION_MS = 5;

if (isMainThread) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  const answers = watchTransactions();
  const profiler = startProfiler(process.env.BENCH_PROFILE_DIR);
  process.on('SIGUSR2', () => {
    // The histogram holds whole timer intervals; the delay is what exceeds the interval.
    const toMs = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
    const line = {
      max_ms: toMs(histogram.max),
      p99_ms: toMs(histogram.percentile(99)),
      mean_ms: toMs(histogram.mean),
      samples: histogram.count,
      rss_mb: Math.round(process.memoryUsage().rss / 1048576),
      transactions_ms: Object.fromEntries(answers.splice(0)),
    };
    histogram.reset();
    profiler?.();
    process.stderr.write(`bench-probe ${JSON.stringify(line)}\n`);
  });
}

/**
 * How long the bridge took to answer each transaction the benchmark pushed (its ids start with
 * "bench-"), from its request's headers to the last byte of the answer, as the bridge's own
 * HTTP server saw it: the time the homeserver's side adds is left out.
 */
function watchTransactions(): Array<[string, number]> {
  const answers: Array<[string, number]> = [];
  const started = new WeakMap<IncomingMessage, number>();
  const txnId = (request: IncomingMessage) =>
    /\/transactions\/(bench-[^/?]+)/.exec(request.url ?? '')?.[1];
  subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    if (txnId(request)) started.set(request, performance.now());
  });
  subscribe('http.server.response.finish', (message) => {
    const { request } = message as { request: IncomingMessage };
    const id = txnId(request);
    const at = started.get(request);
    if (id && at !== undefined) answers.push([id, Math.round((performance.now() - at) * 10) / 10]);
  });
  return answers;
}

/** Starts profiling; the returned function saves the profile so far and starts the next. */
function startProfiler(dir: string | undefined): (() => void) | undefined {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let period = 0;
  return () => {
    const file = path.join(dir, `bridge-${process.pid}-${period++}.cpuprofile`);
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
      session.post('Profiler.start');
    });
  };
}
