import { createHash } from 'node:crypto';

import { readMatrixFailure, retryTransient, type MatrixFailure } from './errors.js';

/** The homeserver client the sender needs (`HomeserverHttp` in the bridge). */
export interface RequestClient {
  doRequest(method: string, path: string, qs?: unknown, body?: unknown): Promise<unknown>;
}

export interface SenderOptions {
  /** Tries per message before giving up until the next poll. Default 6. */
  maxAttempts?: number;
  /** First backoff delay, doubled on each retry. Default 500 ms. */
  initialDelayMs?: number;
  /** Longest wait between tries, whatever the server asks. Default 30 s. */
  maxDelayMs?: number;
}

export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(readonly failure: MatrixFailure) {
    super(failure.detail);
  }
}

/**
 * A transaction id that is the same every time the same message of the same job is sent, so a
 * resend after a crash or a lost answer is recognised by the homeserver and makes no duplicate.
 */
export function stableTxnId(eventId: string, role: string): string {
  const digest = createHash('sha256').update(eventId).digest('base64url').slice(0, 22);
  return `pdfsum.${digest}.${role}`;
}

/**
 * Sends room messages as the bot with a caller-chosen transaction id, retrying rate limits,
 * server errors and network faults. Other refusals (not in the room, forbidden) are final.
 */
export class MatrixSender {
  private readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(
    private readonly client: RequestClient,
    options: SenderOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 6;
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
  }

  /** Sends and returns the event id; throws SendError when the homeserver will not take it. */
  async send(
    roomId: string,
    content: object,
    txnId: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const path =
      `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}` +
      `/send/m.room.message/${encodeURIComponent(txnId)}`;
    const put = async (): Promise<string> => {
      const answer = (await this.client.doRequest('PUT', path, null, content)) as {
        event_id?: unknown;
      };
      if (typeof answer?.event_id !== 'string') {
        throw Object.assign(new Error('send answered without an event_id'), { statusCode: 502 });
      }
      return answer.event_id;
    };
    try {
      return await retryTransient(put, {
        what: `send ${txnId} to ${roomId}`,
        maxAttempts: this.maxAttempts,
        initialDelayMs: this.initialDelayMs,
        maxDelayMs: this.maxDelayMs,
        signal,
      });
    } catch (error) {
      // An abort while waiting to retry ends the send with the signal's own reason.
      if (signal?.aborted && error === signal.reason) throw error;
      throw new SendError(readMatrixFailure(error));
    }
  }
}
