import { eventIds, fileEvent, processMemory, readProbe, ReplyClock } from './bridge.js';
import { startBenchBridge, uploadCorpus } from './bridge.js';
import type { Scenario } from '../../test/support/scenario.js';
import { THROUGHPUT_PDFS } from './corpus.js';
import { referenceRow, targetRow, type ScenarioResult } from './report.js';
import { fmt, now, quantile, round } from './stats.js';

/** Uploads in the burst, and Synapse's limit on events per transaction. */
const UPLOADS = 200;
const PER_TRANSACTION = 100;

interface BurstFigures {
  answerMs: number[];
  /** The same answers timed inside the bridge, from the request's headers to the answer. */
  bridgeAnswerMs: number[];
  replyMs: number[];
  /** From the first transaction's arrival to the last "working on it" stored. */
  lastReplyMs: number;
  /** From the first transaction's arrival to the first answer stored. */
  firstAnswerMs: number;
  bridgePeakMb: number;
  loopMaxMs: number;
  /** Milliseconds the homeserver took to accept 200 sends made at once, without the bridge. */
  homeserverFloorMs: number;
}

/** 200 bot messages sent at once straight to the homeserver: what any 200 replies cost it. */
async function homeserverFloor(scenario: Scenario): Promise<number> {
  const bot = scenario.hs.appserviceClient();
  const started = now();
  await Promise.all(
    Array.from({ length: UPLOADS }, (_, i) =>
      bot.sendMessage(scenario.roomId, { msgtype: 'm.notice', body: `floor ${i}` }),
    ),
  );
  return now() - started;
}

/**
 * 200 m.file events referring to real uploads (the 24 corpus PDFs in turn), pushed by the
 * homeserver's own transaction sender as two transactions of 100, the second sent as soon as
 * the first is answered, as Synapse does.
 */
async function burst(tag: string, llmUrl: string | undefined): Promise<BurstFigures> {
  const scenario = await startBenchBridge({ workers: 3, llmUrl, probe: true });
  try {
    const uploads = await uploadCorpus(scenario, THROUGHPUT_PDFS);
    const ids = eventIds(tag, UPLOADS);
    const events = ids.map((id, i) => fileEvent(scenario, id, uploads[i % uploads.length]!));
    const clock = new ReplyClock(scenario, ids);
    const sentAt = new Map<string, number>();
    const answerMs: number[] = [];
    await readProbe(scenario); // starts the event-loop period at the burst

    const first = now();
    for (let start = 0; start < UPLOADS; start += PER_TRANSACTION) {
      const batch = events.slice(start, start + PER_TRANSACTION);
      const at = now();
      for (const id of ids.slice(start, start + PER_TRANSACTION)) sentAt.set(id, at);
      const { status } = await scenario.hs.pushRawTransaction(`bench-${tag}-${start}`, {
        events: batch,
      });
      answerMs.push(now() - at);
      if (status !== 200) throw new Error(`transaction answered ${status}, expected 200`);
    }
    await clock.until(clock.allAcked, 'every "working on it" reply', 60_000);
    await clock.until(() => clock.answers.size > 0, 'the first answer', 120_000);
    const loop = await readProbe(scenario);
    const bridgeAnswerMs = Object.entries(loop.transactions_ms)
      .filter(([id]) => id.startsWith(`bench-${tag}-`))
      .map(([, ms]) => ms);
    const bridgePeakMb = processMemory(scenario.bridge.child.pid!).hwmMb;
    await scenario.bridge.stop();
    const homeserverFloorMs = await homeserverFloor(scenario);
    const replyMs = ids.map((id) => clock.acks.get(id)! - sentAt.get(id)!);
    return {
      answerMs,
      bridgeAnswerMs,
      replyMs,
      lastReplyMs: Math.max(...clock.acks.values()) - first,
      firstAnswerMs: clock.firstAnswerAt() - first,
      bridgePeakMb,
      loopMaxMs: loop.max_ms,
      homeserverFloorMs,
    };
  } finally {
    await scenario.stop();
  }
}

/** Scenario 1: how fast a burst of uploads is taken in and acknowledged. */
export async function ackBurst(llmUrl: string, llmDelayMs: number): Promise<ScenarioResult> {
  const llm = await burst('burst-llm', llmUrl);
  const builtin = await burst('burst-builtin', undefined);
  const answerP99 = quantile([...llm.answerMs, ...builtin.answerMs], 0.99);
  const replyP99 = quantile(llm.replyMs, 0.99);
  const replyP99Builtin = quantile(builtin.replyMs, 0.99);
  const ms = (value: number) => `${fmt(value, 1)} ms`;
  const beforeFirst = (figures: BurstFigures) =>
    `last reply ${ms(figures.lastReplyMs)}; first answer ${ms(figures.firstAnswerMs)}`;

  return {
    title: '1. Acknowledgement under a burst (200 uploads, 2 transactions of 100)',
    rows: [
      targetRow(
        'transaction answer p99',
        answerP99,
        `${ms(answerP99)} (max ${ms(Math.max(...llm.answerMs, ...builtin.answerMs))})`,
        '<=',
        20,
        '≤ 20 ms',
      ),
      targetRow('"working on it" reply p99, model', replyP99, ms(replyP99), '<=', 100, '≤ 100 ms'),
      targetRow(
        '"working on it" reply p99, built-in',
        replyP99Builtin,
        ms(replyP99Builtin),
        '<=',
        100,
        '≤ 100 ms',
      ),
      referenceRow(
        'answer of each transaction (model run, then built-in)',
        [...llm.answerMs, ...builtin.answerMs].map((value) => fmt(value, 0)).join(', ') + ' ms',
      ),
      referenceRow(
        'same, timed inside the bridge (headers in → answer out)',
        [...llm.bridgeAnswerMs, ...builtin.bridgeAnswerMs]
          .map((value) => fmt(value, 0))
          .join(', ') + ' ms',
      ),
      referenceRow(
        'reply p50 / max, model',
        `${ms(quantile(llm.replyMs, 0.5))} / ${ms(Math.max(...llm.replyMs))}`,
      ),
      {
        ...targetRow(
          'all 200 replies before the first answer, model',
          llm.firstAnswerMs - llm.lastReplyMs,
          beforeFirst(llm),
          '>=',
          0,
          'yes',
        ),
      },
      targetRow(
        'all 200 replies before the first answer, built-in',
        builtin.firstAnswerMs - builtin.lastReplyMs,
        beforeFirst(builtin),
        '>=',
        0,
        'yes',
      ),
      referenceRow(
        'test homeserver alone: 200 sends made at once, all accepted after',
        ms(Math.min(llm.homeserverFloorMs, builtin.homeserverFloorMs)),
      ),
      referenceRow(
        'bridge peak RSS (VmHWM) during the burst',
        `${fmt(Math.max(llm.bridgePeakMb, builtin.bridgePeakMb))} MB`,
      ),
      referenceRow(
        'bridge event-loop max delay during the burst',
        `${ms(llm.loopMaxMs)} model / ${ms(builtin.loopMaxMs)} built-in`,
      ),
    ],
    notes: [
      'Real bridge process (3 workers) and the test homeserver; 200 m.file events referring to ' +
        'the 24 throughput PDFs in turn, pushed with pushRawTransaction as 2 transactions of ' +
        '100, the second as soon as the first was answered.',
      'Answer time: from sending the PUT to its 200, on a fresh loopback connection, as the ' +
        "homeserver's side sees it (its own event loop, busy storing the bot's replies, is in " +
        'it); also timed inside the bridge by the probe, from the request headers to the ' +
        'last byte of the answer. Reply ' +
        'time: from sending the transaction to the homeserver storing the bot\'s "working on it" ' +
        "reply (timed in the homeserver's event hook).",
      `Run twice: with the loopback model server answering after ${llmDelayMs} ms, and with ` +
        'the built-in summarizer, whose first answer (a 1-page PDF) comes much sooner.',
      'Homeserver alone: after the bridge stopped, 200 m.notice sends made at once by a client ' +
        'in the benchmark process; the floor under any 200 replies on this machine.',
      'Peak RSS: VmHWM of the bridge process (main thread and workers) from /proc at the end ' +
        'of the burst. Event-loop delay: monitorEventLoopDelay preloaded into the bridge ' +
        '(NODE_OPTIONS=--import probe.js), read over the burst.',
    ],
    json: {
      txn_answer_p99_ms: round(answerP99, 1),
      txn_answer_in_bridge_max_ms: round(
        Math.max(...llm.bridgeAnswerMs, ...builtin.bridgeAnswerMs),
        1,
      ),
      ack_reply_p99_ms: round(replyP99, 1),
      ack_reply_p99_builtin_ms: round(replyP99Builtin, 1),
      ack_all_before_first_summary: llm.lastReplyMs <= llm.firstAnswerMs,
      ack_all_before_first_summary_builtin: builtin.lastReplyMs <= builtin.firstAnswerMs,
      homeserver_200_sends_ms: round(Math.min(llm.homeserverFloorMs, builtin.homeserverFloorMs), 1),
      bridge_peak_rss_mb: round(Math.max(llm.bridgePeakMb, builtin.bridgePeakMb), 0),
    },
  };
}
