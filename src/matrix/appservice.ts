import { timingSafeEqual } from 'node:crypto';

import { AppService } from 'matrix-appservice-bridge';

import { describe } from '../errors.js';
import { logger } from '../log.js';
import type { ClientEvent } from './events.js';

const log = logger('AppService');

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  params: Record<string, string>;
  body: unknown;
}

interface HttpResponse {
  status(code: number): HttpResponse;
  send(body: unknown): void;
  headersSent?: boolean;
}

/** The two request handlers of matrix-appservice 2.0 that this class replaces. */
interface TransactionRoutes {
  onTransaction(req: HttpRequest, res: HttpResponse): void;
  isInvalidToken(req: HttpRequest, res: HttpResponse): boolean;
}

// matrix-appservice declares these handlers private but binds them per instance in its
// constructor, so a subclass's versions are the ones its routes call. This cast only makes them
// visible to the compiler.
const OpenAppService = AppService as unknown as new (config: {
  homeserverToken: string;
  httpMaxSizeBytes?: number;
}) => TransactionRoutes;
const libraryOnTransaction = (AppService.prototype as unknown as TransactionRoutes).onTransaction;

export interface GuardOptions {
  homeserverToken: string;
  maxBodyBytes: number;
  /**
   * Stores a transaction's events before it is answered. Runs synchronously; if it throws, the
   * transaction is answered with 500 and the homeserver sends it again.
   */
  persist(txnId: string, events: ClientEvent[]): void;
}

/**
 * The appservice's HTTP side, stricter than the library's: a missing token is 401 and a wrong
 * one 403 (compared in constant time), a body that is not a transaction is 400, and every event
 * is stored before the homeserver gets its 200, so none is lost to a crash after the answer.
 */
export class GuardedAppService extends OpenAppService {
  constructor(private readonly guard: GuardOptions) {
    super({ homeserverToken: guard.homeserverToken, httpMaxSizeBytes: guard.maxBodyBytes });
  }

  /** The same object, typed as what matrix-appservice-bridge expects. */
  get asAppService(): AppService {
    return this as unknown as AppService;
  }

  override isInvalidToken(req: HttpRequest, res: HttpResponse): boolean {
    const header = req.headers.authorization;
    const fromHeader =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const fromQuery =
      typeof req.query.access_token === 'string' ? req.query.access_token : undefined;
    const token = fromHeader ?? fromQuery;
    if (token === undefined) {
      res.status(401).send({ errcode: 'M_UNAUTHORIZED', error: 'No access token supplied.' });
      return true;
    }
    if (!sameToken(token, this.guard.homeserverToken)) {
      res.status(403).send({ errcode: 'M_FORBIDDEN', error: 'Bad access token supplied.' });
      return true;
    }
    return false;
  }

  override onTransaction(req: HttpRequest, res: HttpResponse): void {
    if (this.isInvalidToken(req, res)) return;
    const events = transactionEvents(req.body);
    if (!events) {
      res.status(400).send({ errcode: 'M_BAD_JSON', error: 'Expected {"events": [...]}.' });
      return;
    }
    const txnId = req.params.txnId ?? '';
    // The library reads every event's `type` and iterates the ephemeral list; anything else
    // would make it throw after the events were stored, and the homeserver retry forever.
    const wellFormed = events.filter(
      (event): event is ClientEvent => typeof event === 'object' && event !== null,
    );
    req.body = { events: wellFormed };
    try {
      this.guard.persist(txnId, wellFormed);
    } catch (error) {
      log.error('could not store a transaction; the homeserver will resend it', {
        txn: txnId,
        events: events.length,
        cause: describe(error),
      });
      res.status(500).send({ errcode: 'M_UNKNOWN', error: 'Could not store the events.' });
      return;
    }
    libraryOnTransaction.call(this, req, res);
  }
}

function transactionEvents(body: unknown): unknown[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const events = (body as { events?: unknown }).events;
  if (events === undefined) return [];
  return Array.isArray(events) ? events : undefined;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Express's default error page is HTML; the homeserver expects Matrix errors. This handler
 * answers body-parser's refusals (too large, not JSON) and anything else a route threw.
 */
export function matrixErrorHandler(
  error: { status?: number; type?: string },
  _req: unknown,
  res: HttpResponse,
  next: (error: unknown) => void,
): void {
  if (res.headersSent) return next(error);
  if (error.type === 'entity.too.large' || error.status === 413) {
    res.status(413).send({ errcode: 'M_TOO_LARGE', error: 'Transaction body is too large.' });
  } else if (error.type === 'entity.parse.failed') {
    res.status(400).send({ errcode: 'M_NOT_JSON', error: 'Body is not valid JSON.' });
  } else if (error.status && error.status >= 400 && error.status < 500) {
    res.status(error.status).send({ errcode: 'M_UNKNOWN', error: 'Bad request.' });
  } else {
    log.error('request failed', { cause: describe(error) });
    res.status(500).send({ errcode: 'M_UNKNOWN', error: 'Internal error.' });
  }
}
