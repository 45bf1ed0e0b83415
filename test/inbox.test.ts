import assert from 'node:assert/strict';
import path from 'node:path';

import { openDatabase, type OpenDatabase } from '../src/db/client.js';
import { Inbox, type InboxReactions } from '../src/inbox.js';
import type { ClientEvent } from '../src/matrix/events.js';
import type { FairUseLimits } from '../src/queue/fair-use.js';
import { JobStore, type Job } from '../src/queue/jobs.js';
import { RoomStore } from '../src/queue/rooms.js';
import { tempDir } from './support/tmp.js';

const BOT = '@summarizer:test';
const LIMITS: FairUseLimits = {
  queuedPerSender: 3,
  queuedPerRoom: 5,
  perSenderPerHour: 100,
  perRoomPerHour: 100,
};

function pdfUpload(n: number, sender: string, roomId: string): ClientEvent {
  return {
    event_id: `$upload-${n}:test`,
    room_id: roomId,
    sender,
    type: 'm.room.message',
    origin_server_ts: 1,
    content: {
      msgtype: 'm.file',
      body: `file-${n}.pdf`,
      url: `mxc://test/file${n}`,
      info: { mimetype: 'application/pdf', size: 1000 },
    },
  } as ClientEvent;
}

/** Alice floods room A, Bob adds to it, then Alice tries room B, all in the given order. */
function flood(): ClientEvent[] {
  let n = 0;
  return [
    ...Array.from({ length: 4 }, () => pdfUpload(n++, '@alice:test', '!a:test')),
    ...Array.from({ length: 3 }, () => pdfUpload(n++, '@bob:test', '!a:test')),
    ...Array.from({ length: 2 }, () => pdfUpload(n++, '@alice:test', '!b:test')),
  ];
}

describe('Inbox', () => {
  const opened: Array<{ database: OpenDatabase; dispose: () => void }> = [];

  function inbox(): { inbox: Inbox; jobs: JobStore; uploaded: Job[]; refused: Job[] } {
    const tmp = tempDir();
    const database = openDatabase(path.join(tmp.dir, 'jobs.sqlite'));
    opened.push({ database, dispose: tmp.cleanup });
    const jobs = new JobStore(database.db);
    const uploaded: Job[] = [];
    const refused: Job[] = [];
    const reactions: InboxReactions = {
      uploaded: (job) => uploaded.push(job),
      refused: (job) => refused.push(job),
      invited: () => undefined,
      encrypted: () => undefined,
      command: () => undefined,
    };
    const identity = { botUserId: BOT, isOwnUser: (userId: string) => userId === BOT };
    const box = new Inbox(database, jobs, new RoomStore(database.db), identity, LIMITS, reactions);
    return { inbox: box, jobs, uploaded, refused };
  }

  afterEach(() => {
    for (const { database, dispose } of opened.splice(0)) {
      database.close();
      dispose();
    }
  });

  it('applies the fair-use caps within one transaction as across many', async () => {
    const together = inbox();
    together.inbox.persist('txn-1', flood());
    const apart = inbox();
    flood().forEach((event, i) => apart.inbox.persist(`txn-${i}`, [event]));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const accepted = (run: { uploaded: Job[] }) => run.uploaded.map((job) => job.eventId).sort();
    // Alice: 3 of her 4 in room A (her cap of 3 queued), none in room B. Bob: 2 of 3, as room
    // A then holds 5, its cap.
    const expected = ['$upload-0:test', '$upload-1:test', '$upload-2:test'];
    expected.push('$upload-4:test', '$upload-5:test');
    assert.deepEqual(accepted(together), expected);
    assert.deepEqual(accepted(apart), expected);
    const refusals = (run: { refused: Job[]; jobs: JobStore }) =>
      run.refused.map((job) => run.jobs.get(job.id)?.result).map((result) => result?.kind);
    assert.deepEqual(refusals(together), ['failure', 'failure', 'failure', 'failure']);
    const message = (eventId: string) => {
      const result = together.jobs.getByEventId(eventId)?.result;
      return result?.kind === 'failure' ? result.message : '';
    };
    assert.match(message('$upload-3:test'), /You already have 3 PDFs waiting/);
    assert.match(message('$upload-6:test'), /This room already has 5 PDFs waiting/);
    assert.match(message('$upload-7:test'), /You already have 3 PDFs waiting/);
  });

  it('answers nothing before persist returns, then every upload in order', async () => {
    const run = inbox();
    const events = Array.from({ length: 25 }, (_, i) => pdfUpload(i, `@user${i}:test`, '!a:test'));
    run.inbox.persist('txn-1', events);
    assert.equal(run.uploaded.length + run.refused.length, 0, 'nothing before the answer');
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Room A holds 5 at most: the first five are queued, the other twenty refused.
    assert.deepEqual(
      run.uploaded.map((job) => job.eventId),
      events.slice(0, 5).map((event) => event.event_id),
    );
    assert.deepEqual(
      run.refused.map((job) => job.eventId),
      events.slice(5).map((event) => event.event_id),
    );
  });
});
