import assert from 'node:assert/strict';
import { FakeAppservice } from './support/homeserver/fake-appservice.js';
import {
  TestHomeserver,
  type ClientEvent,
  type TestHomeserverOptions,
} from './support/homeserver/index.js';

const SERVER_NAME = 'test.localhost';
const BOT = `@summarizer:${SERVER_NAME}`;
const AS_TOKEN = 'as-token-for-tests';
const HS_TOKEN = 'hs-token-for-tests';

function registration() {
  return {
    id: 'pdf-summarizer',
    as_token: AS_TOKEN,
    hs_token: HS_TOKEN,
    url: null,
    sender_localpart: 'summarizer',
    namespaces: { users: [{ regex: '@_pdf_.*:test\\.localhost', exclusive: true }] },
    rate_limited: false,
  };
}

interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
  bytes: Buffer;
}

/** A request with full control over auth, for the error cases. */
async function raw(
  hs: TestHomeserver,
  method: string,
  path: string,
  init: { token?: string; json?: unknown; text?: string } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = {};
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  const body = init.text ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
  const response = await fetch(hs.url + path, { method, headers, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  const isJson = response.headers.get('content-type') === 'application/json';
  const parsed = isJson ? (JSON.parse(bytes.toString('utf8')) as Record<string, unknown>) : {};
  return { status: response.status, body: parsed, headers: response.headers, bytes };
}

/** Short polling for a condition the test cannot await directly. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('test homeserver', function () {
  let hs: TestHomeserver;
  let appservice: FakeAppservice | undefined;

  async function startHomeserver(options: Partial<TestHomeserverOptions> = {}) {
    hs = new TestHomeserver({ serverName: SERVER_NAME, registration: registration(), ...options });
    await hs.start();
    return hs;
  }

  async function startAppservice(): Promise<FakeAppservice> {
    appservice = new FakeAppservice();
    hs.setAppserviceUrl(await appservice.start());
    return appservice;
  }

  afterEach(async function () {
    await hs?.stop();
    await appservice?.stop();
    appservice = undefined;
    assert.deepEqual(hs?.internalErrors ?? [], []);
  });

  describe('authentication', function () {
    it('refuses a request without a token with 401 M_MISSING_TOKEN', async function () {
      await startHomeserver();
      const answer = await raw(hs, 'GET', '/_matrix/client/v3/account/whoami');
      assert.equal(answer.status, 401);
      assert.equal(answer.body.errcode, 'M_MISSING_TOKEN');
      assert.equal(typeof answer.body.error, 'string');
    });

    it('refuses an unknown token with 401 M_UNKNOWN_TOKEN', async function () {
      await startHomeserver();
      const answer = await raw(hs, 'GET', '/_matrix/client/v3/account/whoami', { token: 'nope' });
      assert.equal(answer.status, 401);
      assert.equal(answer.body.errcode, 'M_UNKNOWN_TOKEN');
    });

    it('accepts the access_token query parameter but not mixed with a header', async function () {
      await startHomeserver();
      const alice = await hs.registerUser('alice');
      const viaQuery = await raw(
        hs,
        'GET',
        `/_matrix/client/v3/account/whoami?access_token=${alice.accessToken}`,
      );
      assert.equal(viaQuery.body.user_id, alice.userId);

      const mixed = await raw(
        hs,
        'GET',
        `/_matrix/client/v3/account/whoami?access_token=${alice.accessToken}`,
        { token: alice.accessToken },
      );
      assert.equal(mixed.status, 401);
      assert.equal(mixed.body.errcode, 'M_MISSING_TOKEN');
    });

    it('lets the as_token act as the bot, and ignores user_id for human tokens', async function () {
      await startHomeserver();
      const alice = await hs.registerUser('alice');
      const asBot = await raw(hs, 'GET', '/_matrix/client/v3/account/whoami', { token: AS_TOKEN });
      assert.deepEqual(asBot.body, { user_id: BOT, is_guest: false });

      const human = await raw(
        hs,
        'GET',
        `/_matrix/client/v3/account/whoami?user_id=${encodeURIComponent(BOT)}`,
        { token: alice.accessToken },
      );
      assert.equal(human.body.user_id, alice.userId);
    });

    it('refuses masquerading outside the namespace or as an unregistered user', async function () {
      await startHomeserver();
      await hs.registerUser('alice');
      const whoamiAs = (userId: string) =>
        raw(hs, 'GET', `/_matrix/client/v3/account/whoami?user_id=${encodeURIComponent(userId)}`, {
          token: AS_TOKEN,
        });

      const outside = await whoamiAs(`@alice:${SERVER_NAME}`);
      assert.equal(outside.status, 403);
      assert.equal(outside.body.errcode, 'M_FORBIDDEN');

      const ghost = `@_pdf_ghost:${SERVER_NAME}`;
      const unregistered = await whoamiAs(ghost);
      assert.equal(unregistered.status, 403);
      assert.match(String(unregistered.body.error), /has not registered this user/);

      const register = (username: string) =>
        raw(hs, 'POST', '/_matrix/client/v3/register', {
          token: AS_TOKEN,
          json: { type: 'm.login.application_service', username },
        });
      assert.equal((await register('_pdf_ghost')).status, 200);
      assert.equal((await whoamiAs(ghost)).body.user_id, ghost);
      assert.equal((await register('_pdf_ghost')).body.errcode, 'M_USER_IN_USE');
      assert.equal((await register('summarizer')).body.errcode, 'M_USER_IN_USE');
      assert.equal((await register('mallory')).body.errcode, 'M_EXCLUSIVE');
    });

    it('refuses appservice registration without the as_token', async function () {
      await startHomeserver();
      const answer = await raw(hs, 'POST', '/_matrix/client/v3/register', {
        json: { type: 'm.login.application_service', username: '_pdf_x' },
      });
      assert.equal(answer.status, 401);
    });

    it('answers unknown paths 404 and wrong methods 405 with M_UNRECOGNIZED', async function () {
      await startHomeserver();
      const unknown = await raw(hs, 'GET', '/_matrix/client/v3/no/such/thing');
      assert.deepEqual([unknown.status, unknown.body.errcode], [404, 'M_UNRECOGNIZED']);
      const wrongMethod = await raw(hs, 'DELETE', '/_matrix/client/v3/account/whoami');
      assert.deepEqual([wrongMethod.status, wrongMethod.body.errcode], [405, 'M_UNRECOGNIZED']);
    });
  });

  describe('sending events', function () {
    it('answers a repeated txn id with the first event id, storing one event', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const roomId = await alice.createRoom({ name: 'Dedupe' });

      const first = await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'once' }, 'txn-1');
      const again = await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'once' }, 'txn-1');
      const other = await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'once' }, 'txn-2');

      assert.equal(again, first);
      assert.notEqual(other, first);
      const messages = hs.timeline(roomId).filter((e) => e.type === 'm.room.message');
      assert.deepEqual(
        messages.map((e) => e.event_id),
        [first, other],
      );
    });

    it('dedupes per appservice, whichever user it masquerades as', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const roomId = await alice.createRoom({ invite: [BOT], preset: 'public_chat' });
      const bot = hs.appserviceClient();
      await bot.join(roomId);
      await bot.call('POST', '/_matrix/client/v3/register', {
        json: { type: 'm.login.application_service', username: '_pdf_ghost' },
      });
      const ghost = hs.appserviceClient(`@_pdf_ghost:${SERVER_NAME}`);
      await ghost.join(roomId);

      const fromBot = await bot.sendMessage(roomId, { msgtype: 'm.notice', body: 'a' }, 'same');
      const fromGhost = await ghost.sendMessage(roomId, { msgtype: 'm.notice', body: 'b' }, 'same');
      assert.equal(fromGhost, fromBot);
    });

    it('refuses an event over 65,536 bytes with 413 M_TOO_LARGE', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const roomId = await alice.createRoom();
      const before = hs.timeline(roomId).length;

      const answer = await alice.request(
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/big`,
        { json: { msgtype: 'm.text', body: 'x'.repeat(65_000) } },
      );
      assert.equal(answer.status, 413);
      assert.equal((answer.body as { errcode: string }).errcode, 'M_TOO_LARGE');
      assert.equal(hs.timeline(roomId).length, before);

      const fits = await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'x'.repeat(60_000) });
      assert.ok(fits.startsWith('$'));
    });

    it('refuses floats in event content with 400 M_BAD_JSON', async function () {
      await startHomeserver();
      const alice = await hs.registerUser('alice');
      const roomId = await hs.clientFor(alice).createRoom();
      const answer = await raw(
        hs,
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/f`,
        { token: alice.accessToken, text: '{"msgtype":"m.text","body":"x","score":1.0}' },
      );
      assert.deepEqual([answer.status, answer.body.errcode], [400, 'M_BAD_JSON']);
    });

    it('refuses a sender who is not joined with 403 M_FORBIDDEN', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const bob = hs.clientFor(await hs.registerUser('bob'));
      const roomId = await alice.createRoom();
      const answer = await bob.request(
        'PUT',
        `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/t`,
        { json: { msgtype: 'm.text', body: 'hi' } },
      );
      assert.equal(answer.status, 403);
      assert.equal((answer.body as { errcode: string }).errcode, 'M_FORBIDDEN');
    });
  });

  describe('pushing transactions', function () {
    it('pushes in order and retries the same txn id and body after a 500', async function () {
      await startHomeserver({ transactionRetry: { initialDelayMs: 20, maxDelayMs: 100 } });
      const fake = await startAppservice();
      let failuresLeft = 1;
      fake.handler = () => (failuresLeft-- > 0 ? { status: 500, body: {} } : { status: 200 });

      const alice = hs.clientFor(await hs.registerUser('alice'));
      const roomId = await alice.createRoom({ name: 'Before the bot' });
      await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'not for the bot' });
      await alice.invite(roomId, BOT);
      await hs.appserviceClient().join(roomId);
      await alice.sendMessage(roomId, { msgtype: 'm.text', body: 'for the bot' });
      await hs.waitForTransactionsDelivered({ timeoutMs: 3000 });

      const puts = fake.requestsTo('/_matrix/app/v1/transactions/');
      assert.ok(puts.length >= 2);
      assert.equal(puts[0]?.path, '/_matrix/app/v1/transactions/1');
      assert.equal(puts[1]?.path, '/_matrix/app/v1/transactions/1');
      assert.equal(puts[1]?.text, puts[0]?.text);
      assert.ok(puts.every((p) => p.authorization === `Bearer ${HS_TOKEN}`));
      assert.deepEqual(
        hs.transactions.map((t) => t.txnId),
        hs.transactions.map((_, i) => String(i + 1)),
      );
      assert.deepEqual(
        hs.transactions[0]?.attempts.map((a) => a.status),
        [500, 200],
      );

      const timeline = hs.timeline(roomId);
      const inviteIndex = timeline.findIndex((e) => e.state_key === BOT);
      const expected = timeline.slice(inviteIndex).map((e) => e.event_id);
      const pushed = hs.transactions.flatMap((t) => t.events.map((e: ClientEvent) => e.event_id));
      assert.deepEqual(pushed, expected);
    });

    it('retries the same txn id after the appservice times out', async function () {
      await startHomeserver({
        appserviceTimeoutMs: 100,
        transactionRetry: { initialDelayMs: 10, maxDelayMs: 10 },
      });
      const fake = await startAppservice();
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let calls = 0;
      fake.handler = async () => {
        if (calls++ === 0) await held;
        return { status: 200 };
      };

      try {
        const alice = hs.clientFor(await hs.registerUser('alice'));
        await alice.createRoom({ invite: [BOT] });
        await hs.waitForTransactionsDelivered({ timeoutMs: 2000 });
      } finally {
        release();
      }
      const attempts = hs.transactions[0]?.attempts ?? [];
      assert.match(attempts[0]?.error ?? '', /no answer within 100 ms/);
      assert.equal(attempts[1]?.status, 200);
      assert.deepEqual(
        fake.requestsTo('/_matrix/app/v1/transactions/').map((r) => r.path),
        ['/_matrix/app/v1/transactions/1', '/_matrix/app/v1/transactions/1'],
      );
    });

    it('queues events until the appservice url is set', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const roomId = await alice.createRoom({ invite: [BOT] });
      assert.equal(hs.transactions.length, 0);

      await startAppservice();
      await hs.waitForTransactionsDelivered();
      const invite = hs.transactions[0]?.events[0];
      assert.deepEqual([invite?.room_id, invite?.state_key], [roomId, BOT]);
    });

    it('sends the invite of the bot with stripped state, encryption included', async function () {
      await startHomeserver();
      await startAppservice();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      await alice.createRoom({
        invite: [BOT],
        name: 'Secret',
        initialState: [
          { type: 'm.room.encryption', content: { algorithm: 'm.megolm.v1.aes-sha2' } },
        ],
      });
      await hs.waitForTransactionsDelivered();

      const invite = hs.transactions[0]?.events[0];
      assert.equal(invite?.content.membership, 'invite');
      const types = (invite?.unsigned.invite_room_state ?? []).map((e) => e.type).sort();
      assert.deepEqual(types, [
        'm.room.create',
        'm.room.encryption',
        'm.room.join_rules',
        'm.room.member',
        'm.room.name',
      ]);
    });

    it('retries a backed-off transaction at once after a successful ping', async function () {
      await startHomeserver({ transactionRetry: { initialDelayMs: 60_000, maxDelayMs: 60_000 } });
      const fake = await startAppservice();
      let appserviceUp = false;
      fake.handler = (request) =>
        request.path.startsWith('/_matrix/app/v1/transactions/') && !appserviceUp
          ? { status: 503 }
          : { status: 200 };

      const alice = hs.clientFor(await hs.registerUser('alice'));
      await alice.createRoom({ invite: [BOT] });
      await until(() => hs.transactions[0]?.attempts.length === 1, 2000);

      appserviceUp = true;
      const answer = await hs
        .appserviceClient()
        .call<{ duration_ms: number }>(
          'POST',
          '/_matrix/client/v1/appservice/pdf-summarizer/ping',
          { json: { transaction_id: 'ping-1' } },
        );
      assert.equal(typeof answer.duration_ms, 'number');
      await hs.waitForTransactionsDelivered({ timeoutMs: 2000 });
      assert.deepEqual(
        hs.transactions[0]?.attempts.map((a) => a.status),
        [503, 200],
      );
    });
  });

  describe('media', function () {
    const pdf = new TextEncoder().encode('%PDF-1.4 tiny test file');

    it('serves new media only on the authenticated v1 endpoint', async function () {
      await startHomeserver();
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const mxc = await alice.upload(pdf, {
        fileName: 'report.pdf',
        contentType: 'application/pdf',
      });
      const mediaPath = mxc.replace('mxc://', '');

      const anonymous = await raw(hs, 'GET', `/_matrix/client/v1/media/download/${mediaPath}`);
      assert.deepEqual([anonymous.status, anonymous.body.errcode], [401, 'M_MISSING_TOKEN']);

      const asBot = await raw(hs, 'GET', `/_matrix/client/v1/media/download/${mediaPath}`, {
        token: AS_TOKEN,
      });
      assert.equal(asBot.status, 200);
      assert.deepEqual(new Uint8Array(asBot.bytes), pdf);
      assert.equal(asBot.headers.get('content-type'), 'application/pdf');
      assert.equal(asBot.headers.get('content-length'), String(pdf.length));
      assert.equal(asBot.headers.get('content-disposition'), 'attachment; filename="report.pdf"');

      const legacy = await raw(hs, 'GET', `/_matrix/media/v3/download/${mediaPath}`, {
        token: AS_TOKEN,
      });
      assert.deepEqual([legacy.status, legacy.body.errcode], [404, 'M_NOT_FOUND']);

      const badId = await raw(hs, 'GET', `/_matrix/client/v1/media/download/${SERVER_NAME}/a.b`, {
        token: AS_TOKEN,
      });
      assert.equal(badId.status, 400);

      const versions = await raw(hs, 'GET', '/_matrix/client/versions');
      assert.ok((versions.body.versions as string[]).includes('v1.11'));
    });

    it('behaves like an older server when authenticated media is off', async function () {
      await startHomeserver({ authenticatedMedia: false });
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const mxc = await alice.upload(pdf, {
        fileName: 'report.pdf',
        contentType: 'application/pdf',
      });
      const mediaPath = mxc.replace('mxc://', '');

      const v1 = await raw(hs, 'GET', `/_matrix/client/v1/media/download/${mediaPath}`, {
        token: AS_TOKEN,
      });
      assert.deepEqual([v1.status, v1.body.errcode], [404, 'M_UNRECOGNIZED']);
      const v3 = await raw(hs, 'GET', `/_matrix/media/v3/download/${mediaPath}`);
      assert.equal(v3.status, 200);
      assert.deepEqual(new Uint8Array(v3.bytes), pdf);
      const versions = await raw(hs, 'GET', '/_matrix/client/versions');
      assert.ok(!(versions.body.versions as string[]).includes('v1.11'));
    });

    it('refuses an upload over the limit with 413 M_TOO_LARGE', async function () {
      await startHomeserver({ maxUploadBytes: 1024 });
      const alice = hs.clientFor(await hs.registerUser('alice'));
      const answer = await alice.request('POST', '/_matrix/media/v3/upload', {
        bytes: new Uint8Array(2048),
        contentType: 'application/pdf',
      });
      assert.equal(answer.status, 413);
      assert.equal((answer.body as { errcode: string }).errcode, 'M_TOO_LARGE');
      const config = await alice.call('GET', '/_matrix/client/v1/media/config');
      assert.deepEqual(config, { 'm.upload.size': 1024 });
    });
  });

  describe('appservice ping', function () {
    const PING = '/_matrix/client/v1/appservice/pdf-summarizer/ping';

    it('pings the appservice with the hs_token and reports the duration', async function () {
      await startHomeserver();
      const fake = await startAppservice();
      const answer = await raw(hs, 'POST', PING, { token: AS_TOKEN, json: {} });
      assert.equal(answer.status, 200);
      assert.equal(typeof answer.body.duration_ms, 'number');
      const ping = fake.requestsTo('/_matrix/app/v1/ping')[0];
      assert.equal(ping?.authorization, `Bearer ${HS_TOKEN}`);
      assert.deepEqual(ping?.body, { transaction_id: null });
    });

    it('maps ping failures to the spec error codes', async function () {
      await startHomeserver({ appserviceTimeoutMs: 200 });
      const ping = (token = AS_TOKEN, path = PING) => raw(hs, 'POST', path, { token, json: {} });

      assert.equal((await ping()).body.errcode, 'M_AS_PING_URL_NOT_SET');
      const alice = await hs.registerUser('alice');
      assert.equal((await ping(alice.accessToken)).status, 403);
      const otherId = await ping(AS_TOKEN, '/_matrix/client/v1/appservice/other/ping');
      assert.deepEqual([otherId.status, otherId.body.errcode], [403, 'M_FORBIDDEN']);

      const fake = await startAppservice();
      fake.handler = () => ({ status: 500, body: { errcode: 'M_UNKNOWN' } });
      const badStatus = await ping();
      assert.deepEqual([badStatus.status, badStatus.body.errcode], [502, 'M_AS_PING_BAD_STATUS']);
      assert.equal(badStatus.body.status, 500);

      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      fake.handler = async () => {
        await held;
        return { status: 200 };
      };
      try {
        const timedOut = await ping();
        assert.deepEqual(
          [timedOut.status, timedOut.body.errcode],
          [504, 'M_AS_PING_CONNECTION_TIMEOUT'],
        );
      } finally {
        release();
      }
    });
  });

  describe('fault injection', function () {
    it('answers canned responses and drops connections before the handler runs', async function () {
      await startHomeserver();
      const alice = await hs.registerUser('alice');
      hs.faults.add({
        path: /\/account\/whoami$/,
        respond: { status: 429, body: { errcode: 'M_LIMIT_EXCEEDED', retry_after_ms: 10 } },
      });
      hs.faults.add({ method: 'GET', path: /\/joined_rooms$/, respond: 'drop' });

      const limited = await raw(hs, 'GET', '/_matrix/client/v3/account/whoami', {
        token: alice.accessToken,
      });
      assert.deepEqual([limited.status, limited.body.errcode], [429, 'M_LIMIT_EXCEEDED']);
      const normal = await raw(hs, 'GET', '/_matrix/client/v3/account/whoami', {
        token: alice.accessToken,
      });
      assert.equal(normal.body.user_id, alice.userId);
      await assert.rejects(raw(hs, 'GET', '/_matrix/client/v3/joined_rooms'));
      assert.deepEqual(
        hs.requests.map((r) => [r.status, r.fault ?? null]),
        [
          [429, 'canned'],
          [200, null],
          [0, 'drop'],
        ],
      );
    });
  });
});
