import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

import { createRegistration } from '../../src/matrix/registration.js';
import { BridgeProcess, type BridgeProcessOptions } from './bridge-process.js';
import { TestHomeserver } from './homeserver/index.js';
import { corpusFile } from './paths.js';
import { tempDir } from './tmp.js';

export const SERVER_NAME = 'test.localhost';
export const BOT_LOCALPART = 'summarizer';
export const BOT_USER_ID = `@${BOT_LOCALPART}:${SERVER_NAME}`;

type ClientEvent = ReturnType<TestHomeserver['timeline']>[number];
type HumanClient = ReturnType<TestHomeserver['clientFor']>;

/**
 * A test homeserver, a bridge process registered with it, and a human user in a room with the
 * bot: the set-up every end-to-end test starts from.
 */
export class Scenario {
  roomId = '';
  alice!: HumanClient;

  /** Log lines of bridge processes that were stopped or killed, oldest first. */
  readonly earlierLogs: string[] = [];

  private constructor(
    readonly hs: TestHomeserver,
    public bridge: BridgeProcess,
    readonly dir: string,
    readonly tokens: { asToken: string; hsToken: string },
    private readonly bridgeOptions: BridgeProcessOptions,
    private readonly cleanup: () => void,
  ) {}

  static async start(
    options: {
      config?: BridgeProcessOptions['config'];
      env?: Record<string, string>;
      homeserver?: Partial<ConstructorParameters<typeof TestHomeserver>[0]>;
      /** Listen on one port across restarts, as a deployed bridge does. */
      fixedPort?: boolean;
    } = {},
  ): Promise<Scenario> {
    const tmp = tempDir('pdfsum-e2e-');
    const registrationPath = path.join(tmp.dir, 'registration.yaml');
    const registration = createRegistration({
      id: 'pdf-summarizer',
      url: 'http://127.0.0.1:9',
      localpart: BOT_LOCALPART,
      domain: SERVER_NAME,
    });
    writeFileSync(registrationPath, JSON.stringify(registration.getOutput()));
    const hs = new TestHomeserver({
      serverName: SERVER_NAME,
      registration: registration.getOutput(),
      ...options.homeserver,
    });
    await hs.start();
    const port = options.fixedPort ? await freePort() : 0;
    const config = { ...options.config };
    config.appservice = { ...config.appservice, port };
    const bridgeOptions: BridgeProcessOptions = {
      dir: tmp.dir,
      homeserverUrl: hs.url,
      domain: SERVER_NAME,
      registrationPath,
      config,
      env: options.env,
      echo: process.env.ECHO_BRIDGE_LOGS === '1',
    };
    const bridge = await BridgeProcess.start(bridgeOptions);
    hs.setAppserviceUrl(`http://127.0.0.1:${bridge.port}`);
    const tokens = {
      asToken: registration.getAppServiceToken()!,
      hsToken: registration.getHomeserverToken()!,
    };
    const scenario = new Scenario(hs, bridge, tmp.dir, tokens, bridgeOptions, tmp.cleanup);
    scenario.alice = hs.clientFor(await hs.registerUser('alice'));
    return scenario;
  }

  /** Starts a new bridge process on the same database, after the last one stopped or died. */
  async restartBridge(): Promise<void> {
    if (this.bridge.child.exitCode === null && this.bridge.child.signalCode === null) {
      throw new Error('the bridge is still running');
    }
    this.earlierLogs.push(...this.bridge.logs);
    this.bridge = await BridgeProcess.start(this.bridgeOptions);
    this.hs.setAppserviceUrl(`http://127.0.0.1:${this.bridge.port}`);
  }

  /** Every log line of every bridge process of this scenario. */
  allLogs(): string[] {
    return [...this.earlierLogs, ...this.bridge.logs];
  }

  /** Creates a room, invites the bot and waits until it has joined. */
  async roomWithBot(): Promise<string> {
    const roomId = await this.alice.createRoom({ invite: [BOT_USER_ID], name: 'PDFs' });
    await this.hs.waitForEvent(
      (event) =>
        event.room_id === roomId &&
        event.type === 'm.room.member' &&
        event.state_key === BOT_USER_ID &&
        event.content.membership === 'join',
      { timeoutMs: 15_000 },
    );
    this.roomId = roomId;
    return roomId;
  }

  /** Uploads a corpus file as an m.file message and returns the event id. */
  async uploadCorpus(name: string, roomId = this.roomId): Promise<string> {
    const bytes = new Uint8Array(readFileSync(corpusFile(name)));
    return this.uploadBytes(bytes, name, roomId);
  }

  async uploadBytes(bytes: Uint8Array, fileName: string, roomId = this.roomId): Promise<string> {
    const { eventId } = await this.alice.sendFile(roomId, {
      bytes,
      fileName,
      mimetype: 'application/pdf',
    });
    return eventId;
  }

  /** The bot's replies to an event, in timeline order. */
  repliesTo(eventId: string, roomId = this.roomId): ClientEvent[] {
    return this.hs
      .timeline(roomId)
      .filter((event) => event.sender === BOT_USER_ID && inReplyTo(event) === eventId);
  }

  /** Waits until the bot has answered an upload (working reply + final reply). */
  async waitForAnswer(eventId: string, timeoutMs = 30_000): Promise<ClientEvent[]> {
    await this.hs.waitForEvent(
      (event) =>
        event.sender === BOT_USER_ID &&
        inReplyTo(event) === eventId &&
        !String(event.content.body).startsWith('Working on'),
      { timeoutMs },
    );
    return this.repliesTo(eventId);
  }

  async stop(): Promise<void> {
    await this.bridge.stop();
    await this.hs.stop();
    this.cleanup();
  }
}

export function inReplyTo(event: ClientEvent): string | undefined {
  const relation = event.content['m.relates_to'] as
    { 'm.in_reply_to'?: { event_id?: string } } | undefined;
  return relation?.['m.in_reply_to']?.event_id;
}

/** A port that was free a moment ago, for a bridge that must keep its port across restarts. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
