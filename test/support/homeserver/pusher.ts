import type { ClientEvent } from './events.js';
import { sendToAppservice } from './http/outbound.js';

/**
 * Pushes events to the appservice the way Synapse's appservice scheduler does.
 *
 * States and transitions (one appservice, one transaction in flight at a time):
 *
 *   idle ──event queued, url set──▶ sending ──2xx──▶ idle (or sending the next transaction)
 *                                    │  ▲
 *                non-2xx, network ───┘  └── backoff timer fires, or a successful ping
 *                error or timeout ──▶ backing off (same txn id, same body)
 *
 * A transaction takes up to 100 queued events when it is formed; its id counts up from 1 and
 * its body never changes across retries. Backoff doubles from `initialDelayMs` up to
 * `maxDelayMs` and resets after a success. While no url is set, events wait in the queue
 * (Synapse would drop them for a registration whose url is null).
 */

/** Synapse's limit on events in one transaction. */
export const MAX_EVENTS_PER_TRANSACTION = 100;

export interface TransactionAttempt {
  /** The HTTP status the appservice answered, if it answered. */
  status?: number;
  /** What went wrong: a non-2xx answer, a network error or the timeout. */
  error?: string;
  /** How long the attempt took. */
  ms: number;
}

export interface TransactionRecord {
  txnId: string;
  events: ClientEvent[];
  attempts: TransactionAttempt[];
  /** True once the appservice answered 2xx. */
  delivered: boolean;
}

export interface PusherOptions {
  hsToken: string;
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class TransactionPusher {
  readonly transactions: TransactionRecord[] = [];
  private readonly queue: ClientEvent[] = [];
  private current: { record: TransactionRecord; body: string } | undefined;
  private nextTxnId = 1;
  private url: string | null = null;
  private inFlight = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly options: PusherOptions) {}

  /** A new url is a new chance: a backed-off transaction is retried at once. */
  setUrl(url: string): void {
    this.url = url.replace(/\/+$/, '');
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pump();
  }

  enqueue(event: ClientEvent): void {
    this.queue.push(event);
    this.pump();
  }

  /** Retries a backed-off transaction now, as Synapse does after a successful ping. */
  forceRetry(): void {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.pump();
  }

  /** Events not yet acknowledged by the appservice. */
  pendingEvents(): number {
    return this.queue.length + (this.current?.record.events.length ?? 0);
  }

  /** Resolves once every queued event has been acknowledged. */
  whenDelivered(timeoutMs: number): Promise<void> {
    if (this.pendingEvents() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(this.describeBacklog(timeoutMs)));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.abort.abort();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('the test homeserver stopped before the events were delivered'));
    }
    this.waiters.clear();
  }

  private pump(): void {
    if (this.stopped || this.inFlight || this.retryTimer || this.url === null) return;
    if (!this.current) {
      if (this.queue.length === 0) return this.settleWaiters();
      const events = this.queue.splice(0, MAX_EVENTS_PER_TRANSACTION);
      const record: TransactionRecord = {
        txnId: String(this.nextTxnId++),
        events,
        attempts: [],
        delivered: false,
      };
      this.transactions.push(record);
      this.current = { record, body: JSON.stringify({ events }) };
    }
    void this.attempt(this.url, this.current);
  }

  private async attempt(url: string, current: { record: TransactionRecord; body: string }) {
    this.inFlight = true;
    const started = performance.now();
    const attempt: TransactionAttempt = { ms: 0 };

    try {
      const response = await sendToAppservice({
        method: 'PUT',
        url: `${url}/_matrix/app/v1/transactions/${encodeURIComponent(current.record.txnId)}`,
        body: current.body,
        token: this.options.hsToken,
        timeoutMs: this.options.timeoutMs,
        signal: this.abort.signal,
      });
      attempt.status = response.status;
      if (response.status < 200 || response.status > 299) {
        attempt.error = `HTTP ${response.status}: ${response.text.slice(0, 200)}`;
      }
    } catch (error) {
      attempt.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    attempt.ms = Math.round(performance.now() - started);
    this.inFlight = false;
    if (this.stopped) return;
    current.record.attempts.push(attempt);

    if (attempt.error === undefined) {
      current.record.delivered = true;
      this.current = undefined;
      this.failures = 0;
      this.pump();
      return;
    }
    this.failures++;
    const delay = Math.min(
      this.options.initialDelayMs * 2 ** (this.failures - 1),
      this.options.maxDelayMs,
    );
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve();
    }
    this.waiters.clear();
  }

  private describeBacklog(timeoutMs: number): string {
    const current = this.current?.record;
    const last = current?.attempts.at(-1);
    return (
      `events still undelivered after ${timeoutMs} ms: ${this.pendingEvents()} pending` +
      (this.url === null ? '; no appservice url is set' : '') +
      (current ? `; txn ${current.txnId} tried ${current.attempts.length} times` : '') +
      (last?.error ? `, last error: ${last.error}` : '')
    );
  }
}
