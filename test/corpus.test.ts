import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { corpusDir } from './support/paths.js';
import { BOT_USER_ID, Scenario } from './support/scenario.js';

/**
 * The whole shared corpus through the real bridge at once: every file gets the answer its
 * MANIFEST.tsv row names, while another person's ordinary PDF is still answered promptly.
 * The manifest is read at run time; a row whose action this file does not know fails the test.
 */

type Answer =
  | 'summary'
  | 'almost no text'
  | 'no text layer'
  | 'damaged'
  | 'empty'
  | 'password'
  | 'not a PDF'
  | 'XFA'
  | 'unreadable';

/** What each kind of answer looks like in the reply body. `{file}` is the uploaded name. */
const LOOKS: Record<Answer, (file: string) => RegExp> = {
  summary: (file) => new RegExp(`^Summary of "${escape(file)}" \\(\\d+ pages?\\)\\n\\n\\S`),
  'almost no text': (file) => refusal(file, /This PDF holds almost no text .*: “.+”/),
  'no text layer': (file) => refusal(file, /This PDF has no text layer: .*OCR/),
  damaged: (file) => refusal(file, /This PDF is damaged/),
  empty: (file) => refusal(file, /This (?:PDF|file) is empty/),
  password: (file) => refusal(file, /This PDF is password-protected/),
  'not a PDF': (file) => refusal(file, /This file is not a PDF/),
  XFA: (file) => refusal(file, /This PDF is a dynamic \(XFA\) form/),
  unreadable: (file) => refusal(file, /The text in this PDF cannot be read by a machine.*OCR/),
};

function refusal(file: string, message: RegExp): RegExp {
  return new RegExp(`^Sorry, I could not summarize "${escape(file)}"\\. ${message.source}`, 's');
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The manifest's `summarizer_action`, by how it starts, mapped to the answers it allows. Where
 * it names two ("summarize (recoverable) or 'corrupt'"), either is right. A document with
 * almost no text may be quoted back instead of summarized: the quote is all there is to say.
 */
const ACTIONS: ReadonlyArray<readonly [RegExp, readonly Answer[]]> = [
  [/^summarize \((?:tiny|little text)\)/, ['summary', 'almost no text']],
  [/^summarize \(recoverable\) or 'corrupt'/, ['summary', 'damaged']],
  [/^summarize with warning/, ['summary']],
  [/^summarize\b/, ['summary']],
  [/^say 'corrupt' \(or summarize/, ['damaged', 'summary']],
  [/^say 'corrupt\/empty'/, ['empty', 'damaged']],
  [/^say 'corrupt'/, ['damaged']],
  [/^say 'password protected'/, ['password']],
  [/^say 'no text layer'/, ['no text layer']],
  [/^say 'no meaningful text'/, ['almost no text', 'no text layer']],
  [/^say 'not a PDF'/, ['not a PDF']],
  [/^say 'XFA form/, ['XFA']],
  [/^say 'text not extractable'/, ['unreadable']],
];

/** Text no reply may carry: a stack frame, or the name of an exception class. */
const STACK_FRAME = /^\s+at .+:\d+(?::\d+)?\)?$/m;
const CLASS_NAME = /\b[A-Z]\w*(?:Error|Exception)\b/;

interface Row {
  file: string;
  pages: string;
  action: string;
}

function readManifest(): Row[] {
  const [header, ...lines] = readFileSync(path.join(corpusDir, 'MANIFEST.tsv'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
  const column = (name: string) => {
    const index = header!.indexOf(name);
    assert.ok(index >= 0, `MANIFEST.tsv has no "${name}" column`);
    return index;
  };
  const [file, pages, action] = ['file', 'pages', 'summarizer_action'].map(column);
  return lines.map((cells) => ({
    file: cells[file!]!,
    pages: cells[pages!]!,
    action: cells[action!]!,
  }));
}

function allowedAnswers(row: Row): readonly Answer[] {
  const rule = ACTIONS.find(([pattern]) => pattern.test(row.action));
  assert.ok(rule, `${row.file}: no expected answer for the manifest action "${row.action}"`);
  return rule[1];
}

/** Which allowed answer a reply body is, or undefined when it is none of them. */
function classify(file: string, body: string, allowed: readonly Answer[]): Answer | undefined {
  return allowed.find((answer) => LOOKS[answer](file).test(body));
}

/** Files of at least this many pages are the ones the responsiveness check waits behind. */
const BIG_PAGES = 600;

describe('the shared corpus end to end', function () {
  this.timeout(120_000);
  let scenario: Scenario | undefined;

  afterEach(async () => {
    await scenario?.stop();
    scenario = undefined;
  });

  it('answers every file as its manifest row says, and another upload meanwhile', async () => {
    const rows = readManifest();
    assert.ok(rows.length >= 50, `expected the whole corpus, got ${rows.length} rows`);
    const expected = new Map(rows.map((row) => [row.file, allowedAnswers(row)]));

    scenario = await Scenario.start({
      // One person uploads the whole corpus at once, on purpose: the fair-use caps would
      // otherwise refuse most of it.
      config: { limits: { max_queued_per_user: 100, max_queued_per_room: 100 } },
    });
    const { hs } = scenario;
    await scenario.roomWithBot();

    // Bob, in his own room, first shows how long an ordinary one-page PDF takes on an idle bridge.
    const bob = hs.clientFor(await hs.registerUser('bob'));
    const bobRoom = await bob.createRoom({ invite: [BOT_USER_ID], name: 'Bob and the bot' });
    await hs.waitForEvent(
      (event) =>
        event.room_id === bobRoom &&
        event.type === 'm.room.member' &&
        event.state_key === BOT_USER_ID &&
        event.content.membership === 'join',
      { timeoutMs: 15_000 },
    );
    const c001 = readFileSync(path.join(corpusDir, 'c001.pdf'));
    /**
     * Bob's copies of c001 end in a comment of their own, so that neither is answered from the
     * stored summary of identical bytes: each is read and summarized like a new document.
     */
    const uploadAsBob = async (label: string) => {
      const bytes = new Uint8Array(Buffer.concat([c001, Buffer.from(`% ${label}\n`)]));
      const file = { bytes, fileName: 'c001.pdf', mimetype: 'application/pdf' };
      return (await bob.sendFile(bobRoom, file)).eventId;
    };
    /** Milliseconds from an upload to the bot's answer, by the homeserver's clock. */
    const latency = async (eventId: string, roomId: string) => {
      await scenario!.waitForAnswer(eventId, 90_000);
      const replies = scenario!.repliesTo(eventId, roomId);
      const upload = hs.timeline(roomId).find((event) => event.event_id === eventId)!;
      const answer = replies.at(-1)!;
      return {
        replies,
        at: answer.origin_server_ts,
        ms: answer.origin_server_ts - upload.origin_server_ts,
      };
    };
    const idleMs = (await latency(await uploadAsBob('copy read on an idle bridge'), bobRoom)).ms;

    // Then Alice uploads the whole corpus at once, and Bob his PDF again while it is worked on.
    const uploads = new Map<string, string>();
    for (const row of rows) uploads.set(row.file, await scenario.uploadCorpus(row.file));
    const busyUpload = await uploadAsBob('copy read during the flood');

    const answeredAt = new Map<string, number>();
    const bodies = new Map<string, string>();
    const [busy] = await Promise.all([
      latency(busyUpload, bobRoom),
      ...[...uploads].map(async ([file, eventId]) => {
        const { replies, at } = await latency(eventId, scenario!.roomId);
        assert.equal(replies.length, 2, `${file}: a "working" reply and an answer`);
        answeredAt.set(file, at);
        bodies.set(file, String(replies[1]!.content.body));
      }),
    ]);
    const { at: busyAt, ms: busyMs } = busy;

    const wrong: string[] = [];
    for (const row of rows) {
      const body = bodies.get(row.file)!;
      const allowed = expected.get(row.file)!;
      const answer = classify(row.file, body, allowed);
      if (!answer) {
        wrong.push(`${row.file} [${row.action}] expected ${allowed.join(' or ')}, got: ${body}`);
      } else if (/^summarize with warning/.test(row.action) && !/may be unreliable/.test(body)) {
        wrong.push(`${row.file} [${row.action}] summarized without the warning: ${body}`);
      }
      assert.doesNotMatch(body, STACK_FRAME, `${row.file}: no stack trace in the reply`);
      if (answer !== 'summary') {
        assert.doesNotMatch(body, CLASS_NAME, `${row.file}: no error class in the reply`);
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} files got the wrong answer`);

    // Every upload was read: none was answered from the stored summary of identical bytes.
    const reused = scenario.bridge.logs.filter((line) => /stage done.* stage=reuse/.test(line));
    assert.deepEqual(reused, [], 'no stored summary stood in');

    // A stamp printed on every page is not part of what is summarized.
    assert.doesNotMatch(bodies.get('c060.pdf') ?? '', /demo version/i);

    // Bob's PDF did not wait for the corpus: it was answered before the last long document.
    const big = rows.filter((row) => Number(row.pages) >= BIG_PAGES).map((row) => row.file);
    assert.ok(big.length > 0, `the corpus has documents of ${BIG_PAGES}+ pages`);
    const lastBig = Math.max(...big.map((file) => answeredAt.get(file)!));
    assert.ok(
      busyAt < lastBig,
      `c001 took ${busyMs} ms during the flood (${idleMs} ms on an idle bridge) and was ` +
        `answered after the last of ${big.join(', ')}`,
    );

    const summaries = rows.filter((row) => bodies.get(row.file)!.startsWith('Summary of'));
    console.log(
      `      ${rows.length} files: ${summaries.length} summaries, ` +
        `${rows.length - summaries.length} explained refusals; ` +
        `c001 answered in ${idleMs} ms idle, ${busyMs} ms during the flood`,
    );
    if (process.env.CORPUS_TABLE === '1') {
      for (const row of rows) {
        const body = bodies.get(row.file)!.replace(/\s+/g, ' ');
        console.log(`      ${row.file}\t${row.action}\t${body.slice(0, 200)}`);
      }
    }
  });
});
