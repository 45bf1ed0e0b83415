import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Appservice } from './appservice.js';
import { TestClient, type TestUser } from './client.js';
import { serializeEvent, type ClientEvent, type StoredEvent } from './events.js';
import { FaultInjector } from './faults.js';
import type { Reply } from './http/context.js';
import { createFrontend, type RecordedRequest } from './http/frontend.js';
import { assertLoopbackUrl, sendToAppservice } from './http/outbound.js';
import { Router } from './http/router.js';
import { localpartProblem } from './ids.js';
import { isInterested } from './interest.js';
import { MediaStore } from './media-store.js';
import { Memberships } from './membership.js';
import { resolveOptions, type ResolvedOptions, type TestHomeserverOptions } from './options.js';
import { TransactionPusher, type TransactionRecord } from './pusher.js';
import { RoomStore } from './rooms.js';
import { accountRoutes } from './routes/account.js';
import { createRoomRoutes } from './routes/create-room.js';
import { mediaRoutes } from './routes/media.js';
import { membershipRoutes } from './routes/membership.js';
import { pingRoutes } from './routes/ping.js';
import { profileRoutes } from './routes/profile.js';
import { sendRoutes } from './routes/send.js';
import { stateRoutes } from './routes/state.js';
import type { ReceiptRecord, Services, TypingRecord } from './services.js';
import { TransactionCache } from './txn-cache.js';
import { UserDirectory } from './users.js';
import { EventWaiter, type WaitOptions } from './waiter.js';

export type { AppserviceRegistration, Namespace } from './appservice.js';
export { MatrixRequestError, TestClient, path } from './client.js';
export type { ApiResponse, ClientRequestInit, CreateRoomOptions, TestUser } from './client.js';
export type { ClientEvent, StrippedStateEvent } from './events.js';
export { FakeAppservice } from './fake-appservice.js';
export type { FakeAnswer, FakeHandler, ReceivedRequest } from './fake-appservice.js';
export type { Fault, FaultAction, FaultSpec } from './faults.js';
export type { RecordedRequest } from './http/frontend.js';
export type { TestHomeserverOptions } from './options.js';
export type { TransactionAttempt, TransactionRecord } from './pusher.js';
export type { ReceiptRecord, TypingRecord } from './services.js';
export type { WaitOptions } from './waiter.js';

/** What `pushRawTransaction` got back from the appservice. */
export interface RawTransactionResult {
  status: number;
  /** Parsed JSON when the answer was JSON, else the text. */
  body: unknown;
}

/**
 * A loopback homeserver that behaves towards one application service as Synapse does: the
 * client-server endpoints a bridge uses, with Synapse's auth, idempotency and error codes, and
 * the appservice transaction pusher with its ordering and retries. State lives in memory.
 */
export class TestHomeserver {
  /** Transactions pushed to the appservice, in order, with every attempt. */
  readonly transactions: TransactionRecord[];
  /** Every client-server request received, in the order answered. */
  readonly requests: RecordedRequest[] = [];
  /** Faults to inject into client-server requests before they reach their handler. */
  readonly faults = new FaultInjector();
  /** Typing notifications received, in order. */
  readonly typing: TypingRecord[] = [];
  /** Read receipts received, in order. */
  readonly receipts: ReceiptRecord[] = [];
  /** Exceptions thrown inside handlers (answered 500 M_UNKNOWN); a bug here, if not empty. */
  readonly internalErrors: Error[] = [];
  readonly serverName: string;
  /** The appservice's bot: `@{sender_localpart}:{serverName}`. */
  readonly botUserId: string;

  private readonly options: ResolvedOptions;
  private readonly appservice: Appservice;
  private readonly services: Services;
  private readonly storedEvents: StoredEvent[] = [];
  private readonly waiter: EventWaiter;
  private readonly frontend: ReturnType<typeof createFrontend>;
  private server: http.Server | undefined;
  private appserviceUrl: string | null = null;

  constructor(options: TestHomeserverOptions) {
    this.options = resolveOptions(options);
    this.serverName = this.options.serverName;
    this.appservice = new Appservice(options.registration, this.serverName);
    this.botUserId = this.appservice.botUserId;

    const users = new UserDirectory();
    users.add(this.botUserId, 'bot', this.appservice.senderLocalpart);
    const rooms = new RoomStore(this.serverName);
    const pusher = new TransactionPusher({
      hsToken: this.appservice.hsToken,
      initialDelayMs: this.options.initialDelayMs,
      maxDelayMs: this.options.maxDelayMs,
      timeoutMs: this.options.appserviceTimeoutMs,
    });
    this.transactions = pusher.transactions;
    this.services = {
      options: this.options,
      appservice: this.appservice,
      users,
      rooms,
      memberships: new Memberships(rooms, users),
      media: new MediaStore(),
      txnCache: new TransactionCache<Reply>(),
      pusher,
      typing: this.typing,
      receipts: this.receipts,
      appserviceUrl: () => this.appserviceUrl,
    };
    this.waiter = new EventWaiter(() => this.allEvents());
    rooms.onEvent((event, room) => {
      this.storedEvents.push(event);
      if (isInterested(this.appservice, rooms, room, event)) {
        const invitesOurs =
          event.type === 'm.room.member' &&
          event.content.membership === 'invite' &&
          this.appservice.isInterestedInUser(event.state_key ?? '');
        pusher.enqueue(serializeEvent(event, Date.now(), { strippedState: invitesOurs }));
      }
      this.waiter.notify(serializeEvent(event, Date.now(), { strippedState: true }));
    });

    const router = new Router([
      ...accountRoutes(this.services),
      ...profileRoutes(this.services),
      ...createRoomRoutes(this.services),
      ...membershipRoutes(this.services),
      ...sendRoutes(this.services),
      ...stateRoutes(this.services),
      ...mediaRoutes(this.services),
      ...pingRoutes(this.services),
    ]);
    this.frontend = createFrontend({
      router,
      faults: this.faults,
      maxBodyBytes: this.options.maxUploadBytes,
      requests: this.requests,
      internalErrors: this.internalErrors,
    });

    const registeredUrl = options.registration.url;
    if (typeof registeredUrl === 'string' && registeredUrl.length > 0) {
      this.setAppserviceUrl(registeredUrl);
    }
  }

  /** `http://127.0.0.1:PORT`; only after `start()`. */
  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('the test homeserver is not listening; call start() first');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    if (this.server) throw new Error('the test homeserver is already started');
    const server = http.createServer(this.frontend);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Stops pushing, closes every connection and stops listening. */
  async stop(): Promise<void> {
    this.services.pusher.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Sets or changes where transactions and pings go; queued events start flowing. */
  setAppserviceUrl(url: string): void {
    assertLoopbackUrl(url);
    this.appserviceUrl = url.replace(/\/+$/, '');
    this.services.pusher.setUrl(this.appserviceUrl);
  }

  /** Registers a human test user and logs them in. Refuses ids the appservice owns. */
  async registerUser(localpart: string, profile: { displayname?: string } = {}): Promise<TestUser> {
    const problem = localpartProblem(localpart, this.serverName);
    if (problem) throw new Error(`registerUser: ${problem}`);
    const userId = `@${localpart}:${this.serverName}`;
    if (this.appservice.isExclusiveUser(userId) || userId === this.botUserId) {
      throw new Error(
        `registerUser: ${userId} lies in the appservice's exclusive namespace; ` +
          'Synapse refuses that with M_EXCLUSIVE',
      );
    }
    const { users } = this.services;
    if (users.has(userId)) throw new Error(`registerUser: ${userId} is already registered`);
    users.add(userId, 'human', profile.displayname ?? localpart);
    return { userId, ...users.issueToken(userId) };
  }

  /** A client acting as the user over real HTTP. */
  clientFor(user: TestUser): TestClient {
    return new TestClient(this.url, user);
  }

  /** A client with the as_token: the bot, or with `userId` a masqueraded appservice user. */
  appserviceClient(userId?: string): TestClient {
    const bot: TestUser = { userId: this.botUserId, accessToken: this.appservice.asToken };
    return new TestClient(this.url, bot, userId);
  }

  /** Every event in the room, in order, state and messages alike. */
  timeline(roomId: string): ClientEvent[] {
    const room = this.services.rooms.get(roomId);
    if (!room) throw new Error(`timeline: no room ${roomId} on ${this.serverName}`);
    const now = Date.now();
    return room.events.map((event) => serializeEvent(event, now, { strippedState: true }));
  }

  /** The first event, existing or future, in any room, that matches. */
  waitForEvent(
    predicate: (event: ClientEvent) => boolean,
    options: WaitOptions = {},
  ): Promise<ClientEvent> {
    return this.waiter.wait(predicate, options);
  }

  /** Resolves once the appservice has acknowledged every event queued for it. */
  waitForTransactionsDelivered(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.services.pusher.whenDelivered(options.timeoutMs ?? 5000);
  }

  /**
   * Sends one hand-made `PUT /_matrix/app/v1/transactions/{txnId}` to the appservice, outside
   * the pusher. `body` is sent as JSON unless it is a string. `token` defaults to the hs_token;
   * null sends no Authorization header.
   */
  async pushRawTransaction(
    txnId: string,
    body: unknown,
    options: { token?: string | null } = {},
  ): Promise<RawTransactionResult> {
    if (this.appserviceUrl === null) throw new Error('pushRawTransaction: no appservice url set');
    const response = await sendToAppservice({
      method: 'PUT',
      url: `${this.appserviceUrl}/_matrix/app/v1/transactions/${encodeURIComponent(txnId)}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      token: options.token === undefined ? this.appservice.hsToken : options.token,
      timeoutMs: this.options.appserviceTimeoutMs,
    });
    let parsed: unknown = response.text;
    try {
      parsed = JSON.parse(response.text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, body: parsed };
  }

  private allEvents(): ClientEvent[] {
    const now = Date.now();
    return this.storedEvents.map((event) => serializeEvent(event, now, { strippedState: true }));
  }
}
