import { readFileSync } from 'node:fs';

import { BOT_USER_ID, SERVER_NAME, Scenario, inReplyTo } from '../../test/support/scenario.js';
import { corpusFile } from './corpus.js';
import { now, sleep } from './stats.js';

/** Compiled beside this file; preloaded into the bridge when a scenario needs its insides. */
const PROBE_URL = new URL('./probe.js', import.meta.url);

export interface BenchBridgeOptions {
  /** `jobs.max_worker_threads`: worker threads, and jobs run at once. */
  workers: number;
  /** The built-in summarizer, or the OpenAI-compatible server at this base URL. */
  llmUrl?: string;
  /** Preload the event-loop probe (see probe.ts). */
  probe?: boolean;
  /** The model's context and part size, when not the configuration's defaults. */
  model?: { contextTokens: number; chunkTokens: number };
}

/**
 * The test homeserver and the real bridge process, with the bot joined to a room. The fair-use
 * caps are raised so that one user's hundreds of uploads are all accepted; everything else is
 * the test default (see test/support/bridge-process.ts) with info-level logs.
 */
export async function startBenchBridge(options: BenchBridgeOptions): Promise<Scenario> {
  const summarizer = options.llmUrl
    ? {
        backend: 'openai',
        fallback_to_builtin: false,
        openai: {
          base_url: options.llmUrl,
          model: 'bench-llm',
          request_timeout_seconds: 120,
          ...(options.model
            ? {
                context_tokens: options.model.contextTokens,
                chunk_tokens: options.model.chunkTokens,
              }
            : {}),
        },
      }
    : { backend: 'builtin' };
  const scenario = await Scenario.start({
    config: {
      jobs: { max_worker_threads: options.workers, shutdown_grace_seconds: 1 },
      limits: {
        max_queued_per_user: 10_000,
        max_queued_per_room: 10_000,
        max_uploads_per_user_per_hour: 10_000,
        max_uploads_per_room_per_hour: 10_000,
      },
      summarizer,
      logging: { level: 'info' },
    },
    env: bridgeEnv(options.probe ?? false),
  });
  try {
    await scenario.roomWithBot();
  } catch (error) {
    await scenario.stop();
    throw error;
  }
  return scenario;
}

/**
 * The bridge's extra environment: the probe preloaded when asked for, and `BENCH_PROFILE_DIR`
 * passed on, which makes the probe record a CPU profile of each period (see probe.ts).
 */
function bridgeEnv(probe: boolean): Record<string, string> {
  const env: Record<string, string> = {};
  if (probe) env.NODE_OPTIONS = `--import=${PROBE_URL.href}`;
  const profileDir = process.env.BENCH_PROFILE_DIR;
  if (probe && profileDir) env.BENCH_PROFILE_DIR = profileDir;
  return env;
}

/** A corpus file in the homeserver's media store, ready to be referenced by m.file events. */
export interface StoredUpload {
  fileName: string;
  mxc: string;
  size: number;
}

/** Uploads each corpus file once, as the user would before posting it. */
export async function uploadCorpus(scenario: Scenario, files: string[]): Promise<StoredUpload[]> {
  const uploads: StoredUpload[] = [];
  for (const fileName of files) {
    const bytes = new Uint8Array(readFileSync(corpusFile(fileName)));
    const mxc = await scenario.alice.upload(bytes, { fileName, contentType: 'application/pdf' });
    uploads.push({ fileName, mxc, size: bytes.length });
  }
  return uploads;
}

/**
 * An m.file event as the homeserver would push it in a transaction: client format, a fresh
 * event id, the user as sender, the room the bot is in.
 */
export function fileEvent(scenario: Scenario, eventId: string, upload: StoredUpload): object {
  const sender = scenario.alice.userId;
  const content = {
    msgtype: 'm.file',
    body: upload.fileName,
    filename: upload.fileName,
    url: upload.mxc,
    info: { mimetype: 'application/pdf', size: upload.size },
  };
  const ts = Date.now();
  return {
    event_id: eventId,
    room_id: scenario.roomId,
    sender,
    type: 'm.room.message',
    content,
    origin_server_ts: ts,
    unsigned: { age: 0 },
    user_id: sender,
    age: 0,
  };
}

/** Distinct event ids for one run, so no two runs or uploads share one. */
export function eventIds(tag: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `$bench-${tag}-${i}:${SERVER_NAME}`);
}

/**
 * Notes the moment the homeserver stores each bot reply to the given uploads: the "working on
 * it" notice and the first message of the answer. The time is taken inside the homeserver's
 * event hook, as the event is stored, so the benchmark's polling adds nothing to it.
 */
export class ReplyClock {
  readonly acks = new Map<string, number>();
  readonly answers = new Map<string, number>();
  private readonly watched: Set<string>;

  constructor(scenario: Scenario, eventIdsToWatch: readonly string[]) {
    this.watched = new Set(eventIdsToWatch);
    const record = (event: Parameters<Parameters<Scenario['hs']['waitForEvent']>[0]>[0]) => {
      if (event.sender !== BOT_USER_ID || event.type !== 'm.room.message') return false;
      const parent = inReplyTo(event);
      if (parent === undefined || !this.watched.has(parent)) return false;
      const at = now();
      const working = String(event.content.body).startsWith('Working on');
      const map = working ? this.acks : this.answers;
      if (!map.has(parent)) map.set(parent, at);
      return false;
    };
    // Never matches, so it sees every event until the homeserver stops.
    scenario.hs
      .waitForEvent(record, { timeoutMs: 2 ** 31 - 1, description: 'bench reply clock' })
      .catch(() => undefined);
  }

  /** Resolves once `done()` holds, checking every 5 ms; rejects after `timeoutMs`. */
  async until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    while (!done()) {
      if (now() > deadline) {
        throw new Error(
          `gave up waiting for ${what} after ${timeoutMs} ms ` +
            `(${this.acks.size} acks, ${this.answers.size} answers of ${this.watched.size})`,
        );
      }
      await sleep(5);
    }
  }

  allAcked = (): boolean => this.acks.size === this.watched.size;
  allAnswered = (): boolean => this.answers.size === this.watched.size;

  firstAnswerAt(): number {
    return Math.min(...this.answers.values());
  }
}

/** Figures the probe preloaded into the bridge reports (see probe.ts). */
export interface ProbeReading {
  max_ms: number;
  p99_ms: number;
  mean_ms: number;
  samples: number;
  rss_mb: number;
  /** The bridge's own answer time of each "bench-" transaction of the period, by its id. */
  transactions_ms: Record<string, number>;
}

/** Asks the bridge's probe for its figures since the last reading, and starts a new period. */
export async function readProbe(scenario: Scenario, timeoutMs = 5000): Promise<ProbeReading> {
  const logs = scenario.bridge.logs;
  const from = logs.length;
  scenario.bridge.child.kill('SIGUSR2');
  const deadline = now() + timeoutMs;
  for (;;) {
    for (let i = from; i < logs.length; i++) {
      const match = /bench-probe (\{.*\})/.exec(logs[i]!);
      if (match) return JSON.parse(match[1]!) as ProbeReading;
    }
    if (now() > deadline) throw new Error('the bridge probe did not answer SIGUSR2');
    await sleep(5);
  }
}

/** Peak and current resident memory of a process, from /proc/<pid>/status, in MB. */
export function processMemory(pid: number): { hwmMb: number; rssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}
