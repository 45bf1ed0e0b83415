import type { AppserviceRegistration } from './appservice.js';

export interface TestHomeserverOptions {
  /** The domain in user ids, room ids and mxc URIs, e.g. `test.localhost`. */
  serverName: string;
  /** The parsed registration.yaml. Validated as Synapse validates it at start-up. */
  registration: AppserviceRegistration;
  /**
   * Behave like Synapse ≥ 1.120 with authenticated media (`/versions` lists v1.11; new media is
   * served only on `/_matrix/client/v1/media/download`, with auth, and the legacy
   * `/_matrix/media/v3/download` answers 404 M_NOT_FOUND for it). When false, behave like an
   * older server: no v1.11, the v1 media paths answer 404 M_UNRECOGNIZED and v3 serves media
   * without auth. Default true.
   */
  authenticatedMedia?: boolean;
  /**
   * Backoff between retries of a failed transaction: doubles from `initialDelayMs` up to
   * `maxDelayMs`. Default 50 / 2000 ms (Synapse: 2 s doubling to 512 s, scaled down for tests).
   */
  transactionRetry?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Deadline for each request to the appservice: transactions and pings. Default 60000 ms. */
  appserviceTimeoutMs?: number;
  /** The upload limit (`m.upload.size`). Default 50 MiB, Synapse's `max_upload_size`. */
  maxUploadBytes?: number;
  /** The port to listen on, on 127.0.0.1. Default 0: any free port. */
  port?: number;
}

export interface ResolvedOptions {
  serverName: string;
  authenticatedMedia: boolean;
  initialDelayMs: number;
  maxDelayMs: number;
  appserviceTimeoutMs: number;
  maxUploadBytes: number;
  port: number;
}

export function resolveOptions(options: TestHomeserverOptions): ResolvedOptions {
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(options.serverName)) {
    throw new Error(
      `serverName: expected a host name like test.localhost, got "${options.serverName}"`,
    );
  }
  return {
    serverName: options.serverName,
    authenticatedMedia: options.authenticatedMedia ?? true,
    initialDelayMs: options.transactionRetry?.initialDelayMs ?? 50,
    maxDelayMs: options.transactionRetry?.maxDelayMs ?? 2000,
    appserviceTimeoutMs: options.appserviceTimeoutMs ?? 60_000,
    maxUploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024,
    port: options.port ?? 0,
  };
}
