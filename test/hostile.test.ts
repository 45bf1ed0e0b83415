import assert from 'node:assert/strict';

import { FakeLlmServer } from './support/llm-server.js';
import { writeTextPdf } from './support/pdf-writer.js';
import { Scenario } from './support/scenario.js';

const TAGS = /<(?!\/?(p|strong|code|em|ul|li)>)[a-z]/i;

describe('hostile input', function () {
  this.timeout(120_000);
  let llm: FakeLlmServer;
  let scenario: Scenario;

  before(async () => {
    llm = new FakeLlmServer({ model: 'loopback-model' });
    const url = await llm.start();
    scenario = await Scenario.start({
      config: {
        appservice: { max_body_mb: 1 },
        limits: { extract_timeout_seconds: 2 },
        summarizer: { backend: 'openai', openai: { base_url: url, model: 'loopback-model' } },
      },
    });
    await scenario.roomWithBot();
  });
  after(async () => {
    await scenario?.stop();
    await llm?.stop();
  });

  it('renders markup and mentions from the PDF and from the model inert', async () => {
    const attack =
      'Read <a href="javascript:alert(1)">this link</a> now, @room and @admin:test.localhost. ' +
      'Here is <img src=x onerror=alert(2)> and <script>alert(3)</script> in the text.';
    const pdf = writeTextPdf([
      { paragraphs: [attack, 'A second paragraph follows with more words in it.'] },
    ]);
    const eventId = await scenario.uploadBytes(pdf, '<b>@room</b>.pdf');
    const [working, summary] = await scenario.waitForAnswer(eventId);
    assert.match(JSON.stringify(llm.requests.at(-1)?.body), /javascript:alert/, 'the model saw it');

    for (const reply of [working!, summary!]) {
      const html = String(reply.content.formatted_body);
      const body = String(reply.content.body);
      assert.doesNotMatch(html, TAGS, `only the bot's own tags in: ${html}`);
      assert.doesNotMatch(html, /href=/);
      for (const text of [html, body]) {
        assert.doesNotMatch(text, /@room/);
        assert.doesNotMatch(text, /@admin:test\.localhost/);
      }
      assert.deepEqual(reply.content['m.mentions'], {});
    }
    assert.match(String(summary!.content.body), /this link/, 'the words themselves came through');
  });

  it('cuts off a PDF that takes too long to read, and keeps serving', async () => {
    const slow = await scenario.uploadCorpus('c006.pdf');
    const [, answer] = await scenario.waitForAnswer(slow, 60_000);
    assert.match(String(answer!.content.body), /took too long to read/);
    const next = await scenario.uploadCorpus('c001.pdf');
    const [, summary] = await scenario.waitForAnswer(next);
    assert.match(String(summary!.content.body), /^Summary of/);
    assert.ok(scenario.bridge.logs.some((line) => /replacing worker thread/.test(line)));
  });

  it('refuses a transaction body over the limit with 413 M_TOO_LARGE', async () => {
    const huge = { events: [{ type: 'm.room.message', content: { body: 'x'.repeat(2_000_000) } }] };
    const answer = await scenario.hs.pushRawTransaction('huge', huge);
    assert.equal(answer.status, 413);
    assert.equal((answer.body as { errcode?: string }).errcode, 'M_TOO_LARGE');
  });

  it('answers an upload with an invalid mxc URI without fetching anything', async () => {
    const before = scenario.hs.requests.length;
    const eventId = await scenario.alice.sendMessage(scenario.roomId, {
      msgtype: 'm.file',
      body: 'evil.pdf',
      url: 'mxc://test.localhost/../../_matrix/client/v3/account/whoami',
      info: { mimetype: 'application/pdf' },
    });
    const [, answer] = await scenario.waitForAnswer(eventId);
    assert.match(String(answer!.content.body), /does not point to a file I can fetch/);
    const fetched = scenario.hs.requests
      .slice(before)
      .filter((r) => /download|whoami/.test(r.path));
    assert.deepEqual(fetched, []);
  });

  it('refuses an upload whose declared size is over the limit before downloading it', async () => {
    const before = scenario.hs.requests.length;
    const bytes = writeTextPdf([{ paragraphs: ['Small, but it says otherwise.'] }]);
    const mxc = await scenario.alice.upload(bytes, {
      fileName: 'big.pdf',
      contentType: 'application/pdf',
    });
    const eventId = await scenario.alice.sendMessage(scenario.roomId, {
      msgtype: 'm.file',
      body: 'big.pdf',
      url: mxc,
      info: { mimetype: 'application/pdf', size: 1e15 },
    });
    const [, answer] = await scenario.waitForAnswer(eventId);
    assert.match(String(answer!.content.body), /larger than 50\.0 MB/);
    const downloads = scenario.hs.requests.slice(before).filter((r) => /download/.test(r.path));
    assert.deepEqual(downloads, []);
  });
});
