import assert from 'node:assert/strict';

import { BOT_USER_ID, Scenario, inReplyTo } from './support/scenario.js';

describe('fair use', function () {
  this.timeout(120_000);
  let scenario: Scenario;

  before(async () => {
    scenario = await Scenario.start({
      config: {
        jobs: { max_worker_threads: 1 },
        limits: { max_queued_per_user: 5, max_uploads_per_user_per_hour: 100 },
      },
    });
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
  });

  it("refuses a flood politely and still serves another user's upload promptly", async () => {
    const bob = scenario.hs.clientFor(await scenario.hs.registerUser('bob'));
    await scenario.alice.invite(scenario.roomId, bob.userId);
    await bob.join(scenario.roomId);

    const flood: string[] = [];
    for (let i = 0; i < 8; i++) flood.push(await scenario.uploadCorpus('c004.pdf'));
    const { eventId: bobs } = await bob.sendFile(scenario.roomId, {
      bytes: new Uint8Array((await import('node:fs')).readFileSync('../shared/corpus/c001.pdf')),
      fileName: 'bob.pdf',
      mimetype: 'application/pdf',
    });
    for (const eventId of [...flood, bobs]) await scenario.waitForAnswer(eventId, 60_000);

    const timeline = scenario.hs.timeline(scenario.roomId);
    const finals = timeline.filter(
      (e) =>
        e.sender === BOT_USER_ID &&
        e.type === 'm.room.message' &&
        !String(e.content.body).startsWith('Working on'),
    );
    const answerTo = (eventId: string) => finals.find((e) => inReplyTo(e) === eventId)!;

    const refused = flood.filter((id) => /PDFs waiting/.test(String(answerTo(id).content.body)));
    assert.equal(refused.length, 3, 'three over the cap of five');
    for (const eventId of refused) {
      assert.match(String(answerTo(eventId).content.body), /You already have 5 PDFs waiting/);
      const replies = timeline.filter((e) => e.sender === BOT_USER_ID && inReplyTo(e) === eventId);
      assert.equal(replies.length, 1, 'a refusal is a single reply');
    }

    // One worker: Alice's first upload was running when Bob's arrived; Bob's goes next, ahead
    // of the four of Alice's that were already waiting.
    const order = finals.map((e) => inReplyTo(e));
    const accepted = flood.filter((id) => !refused.includes(id));
    const bobPosition = order.indexOf(bobs);
    const aliceSummaries = accepted.map((id) => order.indexOf(id)).sort((a, b) => a - b);
    assert.ok(
      bobPosition < aliceSummaries[2]!,
      `Bob answered at ${bobPosition}; Alice's summaries at ${aliceSummaries.join(', ')}`,
    );
  });
});
