import path from 'node:path';

import Database from 'better-sqlite3';

import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { jobs } from '../../src/db/schema.js';
import { Inbox, type InboxReactions } from '../../src/inbox.js';
import { JobStore, type NewJob } from '../../src/queue/jobs.js';
import { jobResultSchema, type JobResult } from '../../src/queue/result.js';
import { RoomStore } from '../../src/queue/rooms.js';
import { tempDir } from '../../test/support/tmp.js';
import { referenceRow, targetRow, type ScenarioResult } from './report.js';
import { fmt, median, now, round } from './stats.js';

const LEVELS = [0, 10_000, 100_000];
const CYCLES = 1_500;
const WARM_UP = 500;
const REPETITIONS = 9;
/** Old rows span the time finished jobs are kept (jobs.cleanup_hours, 72 by default). */
const KEPT_MS = 72 * 3_600_000;

const RESULT: JobResult = jobResultSchema.parse({
  kind: 'summary',
  pageCount: 12,
  pagesRead: 12,
  failedPages: 0,
  truncated: false,
  gist: 'The report finds that the garden grew twice as many beans as last year.',
  keyPoints: ['Rain came early.', 'The new soil held water.', 'Slugs were fewer.'],
  producer: 'built-in',
  fellBack: false,
});

function upload(
  tag: string,
  i: number,
  room = '!bench:bench.localhost',
  sender = '@bench:bench.localhost',
): NewJob {
  return {
    eventId: `$${tag}-${i}:bench.localhost`,
    roomId: room,
    sender,
    threadRoot: null,
    fileName: 'report.pdf',
    mxcUrl: 'mxc://bench.localhost/abcdef',
    mimetype: 'application/pdf',
    declaredSize: 123_456,
  };
}

/** `count` finished, delivered jobs of 500 senders in 100 rooms over the last 72 hours. */
function seedOldRows(database: OpenDatabase, count: number): void {
  const start = Date.now() - KEPT_MS;
  const result = JSON.stringify(RESULT);
  const rows: Array<typeof jobs.$inferInsert> = [];
  for (let i = 0; i < count; i++) {
    const at = Math.round(start + (i * KEPT_MS) / count);
    rows.push({
      ...upload('old', i, `!room-${i % 100}:bench.localhost`),
      sender: `@user-${i % 500}:bench.localhost`,
      status: i % 10 === 0 ? 'failed' : 'completed',
      attempts: 1,
      runAfter: at,
      ackedAt: at + 20,
      result,
      deliveredAt: at + 5_000,
      createdAt: at,
      updatedAt: at + 5_000,
    });
  }
  database.sqlite.transaction(() => {
    for (let i = 0; i < rows.length; i += 500) {
      database.db
        .insert(jobs)
        .values(rows.slice(i, i + 500))
        .run();
    }
  })();
}

/** Milliseconds for `n` enqueue → claim → complete cycles through the project's JobStore. */
function timeCycles(store: JobStore, tag: string, n: number): number {
  const started = now();
  for (let i = 0; i < n; i++) {
    const at = Date.now();
    const { job } = store.enqueue(upload(tag, i), at);
    const claimed = store.claim(at, 60_000);
    if (claimed?.id !== job.id) throw new Error(`claimed ${claimed?.id}, expected job ${job.id}`);
    if (!store.finish(claimed, RESULT, null, at)) throw new Error(`job ${job.id} not finished`);
  }
  return now() - started;
}

/**
 * Milliseconds to store one transaction of 100 uploads through the real Inbox, from a sender
 * and room new to the table (the fair-use counts then see only this transaction).
 */
function timeInbox(database: OpenDatabase, store: JobStore, tag: string): number {
  const noReaction = new Proxy({}, { get: () => () => undefined }) as InboxReactions;
  const identity = { botUserId: '@bot:bench.localhost', isOwnUser: () => false };
  const limits = {
    queuedPerSender: 1e9,
    queuedPerRoom: 1e9,
    perSenderPerHour: 1e9,
    perRoomPerHour: 1e9,
  };
  const inbox = new Inbox(
    database,
    store,
    new RoomStore(database.db),
    identity,
    limits,
    noReaction,
  );
  const events = Array.from({ length: 100 }, (_, i) => ({
    event_id: `$${tag}-${i}:bench.localhost`,
    room_id: `!${tag}:bench.localhost`,
    sender: `@${tag}:bench.localhost`,
    type: 'm.room.message',
    origin_server_ts: Date.now(),
    content: {
      msgtype: 'm.file',
      body: 'report.pdf',
      url: 'mxc://bench.localhost/abcdef',
      info: { mimetype: 'application/pdf', size: 123_456 },
    },
  }));
  const started = now();
  inbox.persist(tag, events);
  return now() - started;
}

interface Level {
  rows: number;
  cyclesPerSecond: number;
  inboxMs: number;
}

interface OpenLevel {
  rows: number;
  database: OpenDatabase;
  store: JobStore;
  times: number[];
  cleanup(): void;
}

function openLevel(rows: number): OpenLevel {
  const tmp = tempDir('pdfsum-bench-queue-');
  const database = openDatabase(path.join(tmp.dir, 'jobs.sqlite'));
  seedOldRows(database, rows);
  const store = new JobStore(database.db);
  timeCycles(store, 'warm', WARM_UP);
  return {
    rows,
    database,
    store,
    times: [],
    cleanup() {
      database.close();
      tmp.cleanup();
    },
  };
}

/**
 * Every level's database is open at once and the repetitions take turns, level after level, so
 * that a change in the machine's load falls on all levels alike.
 */
function measureLevels(): Level[] {
  const open = LEVELS.map(openLevel);
  try {
    for (let r = 0; r < REPETITIONS; r++) {
      for (const level of open) level.times.push(timeCycles(level.store, `run${r}`, CYCLES));
    }
    return open.map((level) => ({
      rows: level.rows,
      cyclesPerSecond: (CYCLES * 1000) / median(level.times),
      inboxMs: median(
        Array.from({ length: 5 }, (_, r) => timeInbox(level.database, level.store, `inbox${r}`)),
      ),
    }));
  } finally {
    for (const level of open) level.cleanup();
  }
}

/** The same cycle on a minimal table with raw prepared statements: the floor of this machine. */
function rawCyclesPerSecond(): number {
  const tmp = tempDir('pdfsum-bench-raw-');
  const db = new Database(path.join(tmp.dir, 'raw.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT NOT NULL,
      run_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, lease_until INTEGER,
      payload TEXT NOT NULL, result TEXT);
      CREATE INDEX jobs_status_run_at ON jobs (status, run_at);`);
    const insert = db.prepare(
      "INSERT INTO jobs (status, run_at, payload) VALUES ('pending', ?, ?) RETURNING id",
    );
    const claim = db.prepare(`UPDATE jobs SET status = 'processing', attempts = attempts + 1,
      lease_until = ? WHERE id = (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ?
      ORDER BY run_at, id LIMIT 1) RETURNING id, payload, attempts`);
    const complete = db.prepare(
      "UPDATE jobs SET status = 'completed', result = ? WHERE id = ? AND status = 'processing'",
    );
    const payload = JSON.stringify(upload('raw', 0));
    const result = JSON.stringify(RESULT);
    const run = (n: number) => {
      const started = now();
      for (let i = 0; i < n; i++) {
        const at = Date.now();
        insert.get(at, payload);
        const claimed = claim.get(at + 60_000, at) as { id: number };
        complete.run(result, claimed.id);
      }
      return now() - started;
    };
    run(WARM_UP);
    return (CYCLES * 1000) / median(Array.from({ length: REPETITIONS }, () => run(CYCLES)));
  } finally {
    db.close();
    tmp.cleanup();
  }
}

/** Scenario 6: the job queue's cycle rate, and whether old rows slow it down. */
export function queue(): ScenarioResult {
  const levels = measureLevels();
  const raw = rawCyclesPerSecond();
  const [empty, , full] = levels as [Level, Level, Level];
  const slowdown = empty.cyclesPerSecond / full.cyclesPerSecond;
  const rate = (level: Level) => `${fmt(level.cyclesPerSecond)}/s`;
  return {
    title: '6. Queue (enqueue → claim → complete, real schema and statements)',
    rows: [
      targetRow(
        'cycles per second, 0 old rows',
        empty.cyclesPerSecond,
        rate(empty),
        '>=',
        5000,
        '≥ 5,000/s',
      ),
      targetRow(
        'cycles per second, 100,000 old rows',
        full.cyclesPerSecond,
        `${rate(full)} (10,000 rows: ${rate(levels[1]!)})`,
        '>=',
        5000,
        '≥ 5,000/s',
      ),
      targetRow(
        'time per cycle, 100k rows ÷ 0 rows',
        slowdown,
        `${fmt(slowdown, 2)}×`,
        '<=',
        1.2,
        '≤ 1.20×',
      ),
      referenceRow(
        'raw better-sqlite3 loop, same machine (project ÷ raw)',
        `${fmt(raw)}/s (${fmt(empty.cyclesPerSecond / raw, 2)}×)`,
      ),
      referenceRow(
        'Inbox.persist of 100 uploads (0 / 100k rows)',
        `${fmt(empty.inboxMs, 1)} ms / ${fmt(full.inboxMs, 1)} ms`,
      ),
    ],
    notes: [
      `openDatabase() (WAL, synchronous=NORMAL, the drizzle migrations) on a temporary file and ` +
        `the project's JobStore: enqueue, claim (the fair-share UPDATE … RETURNING) and finish, ` +
        `one SQLite commit each; ${fmt(CYCLES)} cycles after ${WARM_UP} of warm-up, median of ` +
        `${REPETITIONS}, the levels taking turns. Old rows: finished, delivered jobs of 500 ` +
        'senders in 100 rooms spread over the 72 hours they are kept.',
      'Raw loop: a minimal jobs table with one (status, run_at) index and three prepared ' +
        'statements, same pragmas. Inbox: the real Inbox storing one transaction of 100 m.file ' +
        "events (the work done before the homeserver's transaction is answered), median of 5.",
    ],
    json: {
      queue_cycles_per_s: round(empty.cyclesPerSecond, 0),
      queue_cycles_per_s_100k: round(full.cyclesPerSecond, 0),
      queue_slowdown_100k: round(slowdown, 3),
      queue_raw_cycles_per_s: round(raw, 0),
      inbox_persist_100_ms: round(empty.inboxMs, 2),
    },
  };
}
