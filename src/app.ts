import { mkdir, readdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';

import { Bridge, Logger as BridgeLogger } from 'matrix-appservice-bridge';

import type { Config } from './config/schema.js';
import { openDatabase } from './db/client.js';
import { describe } from './errors.js';
import { Inbox } from './inbox.js';
import { configureLogging, logger, redact } from './log.js';
import { GuardedAppService, matrixErrorHandler } from './matrix/appservice.js';
import { CommandHandler } from './matrix/commands.js';
import { HomeserverHttp } from './matrix/http.js';
import { readMatrixFailure } from './matrix/errors.js';
import { InviteHandler } from './matrix/invites.js';
import { downloadMedia, loadFetch } from './matrix/media.js';
import { readRegistration } from './matrix/registration.js';
import { Replies } from './matrix/replies.js';
import { MatrixSender, type RequestClient } from './matrix/sender.js';
import { summarizeUpload } from './pipeline.js';
import { createSummarizers } from './summarizers.js';
import { JobStore } from './queue/jobs.js';
import { RoomStore } from './queue/rooms.js';
import { JobRunner } from './queue/runner.js';
import { WorkerPool } from './worker/pool.js';

const log = logger('Bridge');

export interface RunningBridge {
  /** The port the appservice listens on (useful when the config asked for port 0). */
  port: number;
  botUserId: string;
  /** Stops taking work, lets running jobs finish for `graceMs`, and closes everything. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Builds the bridge from its configuration and starts it: database, worker pool, summarizer,
 * the appservice HTTP endpoint, the job runner. Every part is created here and nowhere else.
 */
export async function startBridge(config: Config): Promise<RunningBridge> {
  configureLogging({ level: config.logging.level, format: config.logging.format });
  BridgeLogger.configure({ console: config.logging.level === 'debug' ? 'info' : 'warn' });
  const registration = readRegistration(config.appservice.registration_path);
  const asToken = registration.getAppServiceToken()!;
  const hsToken = registration.getHomeserverToken()!;
  for (const secret of [asToken, hsToken, config.summarizer.openai.api_key]) redact(secret);
  log.info('end-to-end encryption is unavailable: the bot cannot read encrypted rooms');

  const database = openDatabase(config.jobs.db_path);
  const jobs = new JobStore(database.db);
  const rooms = new RoomStore(database.db);
  const downloadDir = path.resolve(config.jobs.download_dir);
  await mkdir(downloadDir, { recursive: true });

  const pool = new WorkerPool({
    size: config.jobs.max_worker_threads,
    memoryLimitMb: config.limits.worker_memory_mb,
    taskTimeoutMs: config.limits.extract_timeout_seconds * 1000,
  });
  await pool.start();
  const { summarizer, fallback, analyses, fingerprint, defaultInstructions } =
    await createSummarizers(config, pool);

  const botUserId = `@${registration.getSenderLocalpart()}:${config.homeserver.domain}`;
  const bridge = new Bridge({
    homeserverUrl: config.homeserver.url,
    domain: config.homeserver.domain,
    registration,
    disableStores: true,
    suppressEcho: true,
    queue: { type: 'none' },
    eventValidation: {},
    intentOptions: { bot: { dontCheckPowerLevel: true } },
    // Everything is done when a transaction is stored (see Inbox); the library's own event
    // callback has nothing left to do.
    controller: { onEvent: (request) => request.resolve(undefined) },
  });
  await bridge.initialise();
  const intent = bridge.getIntent();
  const client = new HomeserverHttp(config.homeserver.url, asToken);
  const sender = new MatrixSender(client);
  const replies = new Replies(jobs, sender);
  const invites = new InviteHandler(client, sender, rooms, {
    allowedInviters: config.bot.allowed_inviters,
  });

  const commands = new CommandHandler(client, sender, rooms, defaultInstructions);
  const maxAttempts = config.jobs.max_retries + 1;
  const runner = new JobRunner(
    {
      jobs,
      work: (job, context) =>
        summarizeUpload(
          job,
          {
            download: (item, destination, signal) =>
              downloadMedia({
                homeserverUrl: config.homeserver.url,
                accessToken: asToken,
                mxcUrl: item.mxcUrl,
                destination,
                maxBytes: config.limits.max_file_mb * 1024 * 1024,
                timeoutMs: config.limits.download_timeout_seconds * 1000,
                signal,
              }),
            extract: (file, limits, signal) => pool.extract(file, limits, { signal }),
            summarizer,
            fallback,
            analyses,
            summarizerFingerprint: fingerprint,
            storedSummary: (key) => jobs.summaryFor(key),
            roomSettings: (roomId) => {
              const room = rooms.get(roomId);
              const language = room?.language ?? config.summarizer.language;
              return {
                ...(room?.instructions ? { instructions: room.instructions } : {}),
                ...(language !== 'auto' ? { language } : {}),
              };
            },
            downloadDir,
            limits: {
              maxPages: config.limits.max_pages,
              maxChars: config.limits.max_text_chars,
              maxFileBytes: config.limits.max_file_mb * 1024 * 1024,
            },
          },
          context,
        ),
      acknowledge: (job) => replies.acknowledge(job),
      deliver: (job) => replies.deliver(job),
      sweep: () => sweepDownloads(downloadDir),
    },
    {
      concurrency: config.jobs.max_worker_threads,
      maxAttempts,
      leaseMs: config.jobs.lease_seconds * 1000,
      pollMs: config.jobs.poll_seconds * 1000,
      retryDelayMs: config.jobs.retry_delay_seconds * 1000,
      cleanupAfterMs: config.jobs.cleanup_hours * 3600 * 1000,
      jobTimeoutMs: config.limits.job_timeout_seconds * 1000,
    },
  );

  const identity = {
    botUserId,
    isOwnUser: (userId: string) => userId === botUserId || registration.isUserMatch(userId, false),
  };
  const fairUse = {
    queuedPerSender: config.limits.max_queued_per_user,
    queuedPerRoom: config.limits.max_queued_per_room,
    perSenderPerHour: config.limits.max_uploads_per_user_per_hour,
    perRoomPerHour: config.limits.max_uploads_per_room_per_hour,
  };
  const inbox = new Inbox(database, jobs, rooms, identity, fairUse, {
    uploaded: (job) => {
      void replies.acknowledge(job);
      runner.wake();
    },
    refused: (job) => void replies.deliver(job),
    invited: (roomId) => void invites.handle(roomId),
    encrypted: (roomId) => void invites.sendEncryptionNotice(roomId).catch(() => undefined),
    command: (command) => void commands.handle(command),
  });
  const service = new GuardedAppService({
    homeserverToken: hsToken,
    maxBodyBytes: config.appservice.max_body_mb * 1024 * 1024,
    persist: (txnId, events) => inbox.persist(txnId, events),
  });
  const app = service.asAppService.expressApp;
  app.post('/_matrix/app/v1/ping', (req, res) => {
    if (service.isInvalidToken(req as never, res as never)) return;
    res.send({});
  });

  // The profile is set before any room is joined: a later change would post a membership
  // event into every room the bot is in.
  await registerBot(intent, config.bot.display_name);
  loadFetch();
  await runner.recover();
  await bridge.listen(
    config.appservice.port,
    config.appservice.bind_address,
    511,
    service.asAppService,
  );
  app.use((_req, res) => {
    res.status(404).send({ errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' });
  });
  app.use(matrixErrorHandler);
  const port = listeningPort(service.asAppService, config.appservice.port);
  log.info('appservice listening', {
    address: config.appservice.bind_address,
    port,
    bot: botUserId,
  });

  runner.start();
  await pingHomeserver(client, registration.getId() ?? '');
  for (const room of rooms.pendingInvites()) void invites.handle(room.roomId);
  for (const room of rooms.owedEncryptionNotices()) {
    void invites.sendEncryptionNotice(room.roomId).catch(() => undefined);
  }

  let stopped: Promise<void> | undefined;
  return {
    port,
    botUserId,
    stop(graceMs = 30_000) {
      stopped ??= (async () => {
        log.info('shutting down', { running_jobs: runner.running, grace_ms: graceMs });
        // Stop accepting transactions first: the homeserver keeps what it could not deliver
        // and sends it after the restart.
        const server = httpServer(service.asAppService);
        const closed = service.asAppService.close().catch(() => undefined);
        server?.closeIdleConnections();
        await runner.stop(graceMs);
        await replies.settle();
        server?.closeAllConnections();
        await closed;
        await pool.close();
        client.close();
        database.close();
        log.info('stopped');
      })();
      return stopped;
    },
  };
}

async function registerBot(
  intent: {
    ensureRegistered(force?: boolean): Promise<unknown>;
    setDisplayName(name: string): Promise<unknown>;
  },
  displayName: string,
): Promise<void> {
  try {
    await intent.ensureRegistered(true);
    await intent.setDisplayName(displayName);
  } catch (error) {
    // The homeserver may be down at start; the bot still works once it is back.
    log.warn('could not set up the bot user on the homeserver yet', { cause: describe(error) });
  }
}

/**
 * Asks the homeserver to ping us back. Besides checking the set-up both ways, this makes a
 * homeserver that backed off while the bridge was down send its queued transactions at once.
 */
async function pingHomeserver(client: RequestClient, appserviceId: string): Promise<void> {
  const path = `/_matrix/client/v1/appservice/${encodeURIComponent(appserviceId)}/ping`;
  try {
    await client.doRequest('POST', path, null, {});
    log.info('homeserver ping succeeded');
  } catch (error) {
    log.warn('homeserver ping failed; check the registration and the homeserver URL', {
      cause: readMatrixFailure(error).detail,
    });
  }
}

/** Removes downloads left by a crash; at start-up no job is using any of them. */
async function sweepDownloads(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.map((name) => rm(path.join(dir, name), { force: true })));
  if (names.length > 0) log.info('removed files left by an earlier run', { files: names.length });
}

/** The node:http server the library started (it keeps it in an undeclared field). */
function httpServer(service: unknown): Server | undefined {
  return (service as { server?: Server }).server;
}

function listeningPort(service: unknown, fallback: number): number {
  const address = httpServer(service)?.address();
  return typeof address === 'object' && address ? address.port : fallback;
}
