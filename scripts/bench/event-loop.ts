import { FakeLlmServer } from '../../test/support/llm-server.js';
import { eventIds, fileEvent, readProbe, ReplyClock, type ProbeReading } from './bridge.js';
import { startBenchBridge, uploadCorpus } from './bridge.js';
import { longestPdf } from './corpus.js';
import { referenceRow, targetRow, type ScenarioResult } from './report.js';
import { fmt, now, round, sleep } from './stats.js';

/** How long the idle bridge is watched first, to show the floor of the measurement. */
const IDLE_MS = 2000;

interface LoopFigures {
  idle: ProbeReading;
  busy: ProbeReading;
  seconds: number;
}

/** One bridge, one upload of the longest PDF; the probe read over idle time, then the job. */
async function watch(llmUrl: string | undefined): Promise<LoopFigures> {
  const longest = longestPdf();
  const scenario = await startBenchBridge({ workers: 3, probe: true, llmUrl });
  try {
    const [upload] = await uploadCorpus(scenario, [longest.file]);
    const ids = eventIds('loop', 1);
    const clock = new ReplyClock(scenario, ids);
    await readProbe(scenario);
    await sleep(IDLE_MS);
    const idle = await readProbe(scenario);

    const started = now();
    const events = [fileEvent(scenario, ids[0]!, upload!)];
    await scenario.hs.pushRawTransaction('bench-loop', { events });
    await clock.until(clock.allAnswered, `the answer to ${longest.file}`, 240_000);
    const seconds = (now() - started) / 1000;
    return { idle, busy: await readProbe(scenario), seconds };
  } finally {
    await scenario.stop();
  }
}

/**
 * Scenario 3: the largest event-loop delay of the bridge's main thread while it processes the
 * longest corpus PDF from upload to answer (download, extraction and summary), once with the
 * built-in summarizer and once with a model that answers at once (every request it makes for
 * the document's parts then lands on the main thread back to back).
 */
export async function eventLoop(): Promise<ScenarioResult> {
  const llm = new FakeLlmServer({ delayMs: 0, model: 'bench-llm' });
  const llmUrl = await llm.start();
  let builtin: LoopFigures;
  let model: LoopFigures;
  let requests: number;
  try {
    builtin = await watch(undefined);
    model = await watch(llmUrl);
    requests = llm.requests.length;
  } finally {
    await llm.stop();
  }
  const { idle, busy, seconds } = builtin;
  const ms = (value: number) => `${fmt(value, 1)} ms`;
  return {
    title: `3. Event loop while the longest PDF is processed (${longestPdf().file}, ${fmt(
      longestPdf().pages,
    )} pages)`,
    rows: [
      targetRow(
        'main-thread max delay, built-in summarizer',
        busy.max_ms,
        ms(busy.max_ms),
        '<=',
        50,
        '≤ 50 ms',
      ),
      targetRow(
        'main-thread max delay, model summarizer',
        model.busy.max_ms,
        ms(model.busy.max_ms),
        '<=',
        50,
        '≤ 50 ms',
      ),
      referenceRow('main-thread delay p99 / mean', `${ms(busy.p99_ms)} / ${ms(busy.mean_ms)}`),
      referenceRow('same, idle bridge (floor)', `max ${ms(idle.max_ms)}, p99 ${ms(idle.p99_ms)}`),
      referenceRow(
        'upload → answer, built-in / model',
        `${fmt(seconds, 1)} s / ${fmt(model.seconds, 1)} s (${fmt(requests)} model requests)`,
      ),
      referenceRow(
        'bridge RSS after the job, built-in / model',
        `${fmt(busy.rss_mb)} MB / ${fmt(model.busy.rss_mb)} MB`,
      ),
    ],
    notes: [
      'The real bridge (3 workers) with a probe preloaded (NODE_OPTIONS=--import probe.js) ' +
        'that runs perf_hooks.monitorEventLoopDelay at 5 ms resolution on the main thread and ' +
        'reports what exceeds the 5 ms interval; read once over 2 s idle, then over the job.',
      'Run twice: with the built-in summarizer, and with the loopback model server answering ' +
        'at once (0 ms), so that the model path is measured without waiting on it.',
    ],
    json: {
      event_loop_max_delay_ms: round(Math.max(busy.max_ms, model.busy.max_ms), 1),
      event_loop_max_delay_builtin_ms: round(busy.max_ms, 1),
      event_loop_max_delay_model_ms: round(model.busy.max_ms, 1),
      event_loop_p99_ms: round(busy.p99_ms, 1),
      event_loop_idle_max_ms: round(idle.max_ms, 1),
      longest_pdf_seconds: round(seconds, 2),
    },
  };
}
