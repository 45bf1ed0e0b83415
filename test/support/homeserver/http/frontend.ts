import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { MatrixError, tooLarge } from '../errors.js';
import type { CannedResponse, FaultInjector } from '../faults.js';
import type { Reply, RequestContext } from './context.js';
import type { Route, Router } from './router.js';

/** One client-server request as received and answered. */
export interface RecordedRequest {
  method: string;
  /** The raw path, without the query string. */
  path: string;
  /** Who the request acted as, once authenticated. */
  userId?: string;
  /** The status sent; 0 when a fault dropped the connection. */
  status: number;
  errcode?: string;
  /** Set when an injected fault answered, dropped or cut short the request. */
  fault?: 'canned' | 'drop' | 'drop-answer' | 'truncated';
}

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'X-Requested-With, Content-Type, Authorization, Date',
};

export interface FrontendOptions {
  router: Router;
  faults: FaultInjector;
  /** The largest body accepted on any route; uploads are checked against it exactly. */
  maxBodyBytes: number;
  requests: RecordedRequest[];
  internalErrors: Error[];
}

/**
 * Reads the whole body, refusing more than `limit` bytes with 413 M_TOO_LARGE. The excess is
 * read and discarded rather than cut off, so the client sees the 413 and not a reset socket.
 */
async function readBody(req: IncomingMessage, limit: number, route: Route): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) {
    throw route.body === 'upload'
      ? tooLarge('Upload request body is too large')
      : tooLarge(`Request body is ${size} bytes; the limit is ${limit}`);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, reply: Reply, record: RecordedRequest): void {
  record.status = reply.status;
  if ('bytes' in reply) {
    res.writeHead(reply.status, {
      ...CORS_HEADERS,
      ...reply.headers,
      'Content-Length': reply.bytes.length,
    });
    res.end(reply.bytes);
    return;
  }
  const json = reply.json as Record<string, unknown> | null;
  if (reply.status >= 400 && typeof json?.errcode === 'string') record.errcode = json.errcode;
  const text = JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    ...CORS_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

/** Announces the whole body, sends only its first bytes, then breaks the connection. */
function sendTruncated(res: ServerResponse, reply: Reply, bytes: number, record: RecordedRequest) {
  const body = 'bytes' in reply ? reply.bytes : Buffer.from(JSON.stringify(reply.json));
  record.status = reply.status;
  res.writeHead(reply.status, {
    ...CORS_HEADERS,
    ...('bytes' in reply ? reply.headers : { 'Content-Type': 'application/json' }),
    'Content-Length': body.length,
  });
  res.write(body.subarray(0, Math.min(bytes, body.length)), () => res.socket?.destroy());
}

function sendCanned(res: ServerResponse, canned: CannedResponse, record: RecordedRequest): void {
  const isText = typeof canned.body === 'string' || canned.body === undefined;
  const text = isText ? ((canned.body as string | undefined) ?? '') : JSON.stringify(canned.body);
  const errcode = (canned.body as Record<string, unknown> | undefined)?.errcode;
  record.status = canned.status;
  record.fault = 'canned';
  if (typeof errcode === 'string') record.errcode = errcode;
  res.writeHead(canned.status, {
    'Content-Type': isText ? 'text/plain' : 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...canned.headers,
  });
  res.end(text);
}

/** Turns node:http requests into routed handler calls: faults first, then the route. */
export function createFrontend(options: FrontendOptions) {
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const path = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const query = new URLSearchParams(queryStart < 0 ? '' : rawUrl.slice(queryStart + 1));
    const record: RecordedRequest = { method, path, status: 0 };
    let ctx: RequestContext | undefined;

    try {
      const fault = options.faults.take(method, path);
      if (fault === 'drop') {
        record.fault = 'drop';
        req.socket.destroy();
        return;
      }
      if (fault && typeof fault === 'object' && 'delayMs' in fault) await delay(fault.delayMs);
      else if (fault && typeof fault === 'object' && 'status' in fault) {
        return sendCanned(res, fault, record);
      }

      if (method === 'OPTIONS') return send(res, { status: 200, json: {} }, record);
      const { route, params } = options.router.match(method, path);
      const body = await readBody(req, options.maxBodyBytes, route);
      ctx = { method, path, params, query, headers: req.headers, body };
      const reply = await route.handler(ctx);
      if (fault === 'drop-answer') {
        record.fault = 'drop-answer';
        req.socket.destroy();
        return;
      }
      if (fault && typeof fault === 'object' && 'delayAnswerMs' in fault) {
        await delay(fault.delayAnswerMs);
      }
      if (fault && typeof fault === 'object' && 'truncateAfterBytes' in fault) {
        record.fault = 'truncated';
        return sendTruncated(res, reply, fault.truncateAfterBytes, record);
      }
      send(res, reply, record);
    } catch (error) {
      if (!(error instanceof MatrixError)) {
        options.internalErrors.push(error instanceof Error ? error : new Error(String(error)));
      }
      const matrixError =
        error instanceof MatrixError
          ? error
          : new MatrixError(500, 'M_UNKNOWN', `Internal server error: ${String(error)}`);
      if (!res.headersSent) {
        send(res, { status: matrixError.status, json: matrixError.body() }, record);
      }
    } finally {
      record.userId = ctx?.userId;
      if (record.userId === undefined) delete record.userId;
      options.requests.push(record);
    }
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res);
  };
}
