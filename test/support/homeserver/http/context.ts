import type { IncomingHttpHeaders } from 'node:http';
import { MatrixError, badJson } from '../errors.js';
import type { JsonObject } from '../events.js';

/** One client-server request, as handlers see it. */
export interface RequestContext {
  method: string;
  /** The raw path, still percent-encoded, without the query string. */
  path: string;
  /** Path parameters, percent-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Who made the request, once authenticated; the request log reads it. */
  userId?: string;
}

export type Reply =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; bytes: Buffer; headers: Record<string, string> };

export function ok(json: unknown = {}): Reply {
  return { status: 200, json };
}

/** A path parameter the route guarantees. */
export function param(ctx: RequestContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined) throw new Error(`route has no parameter "${name}"`);
  return value;
}

/**
 * The body as a JSON object, as Synapse's `parse_json_object_from_request` reads it: text that
 * is not JSON is 400 M_NOT_JSON, JSON that is not an object 400 M_BAD_JSON. Endpoints whose body
 * is optional (join, leave) pass `allowEmpty`.
 */
export function jsonBody(ctx: RequestContext, options: { allowEmpty?: boolean } = {}): JsonObject {
  if (ctx.body.length === 0 && options.allowEmpty) return {};
  let value: unknown;
  try {
    value = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    throw new MatrixError(400, 'M_NOT_JSON', 'Content not JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badJson('Content must be a JSON object.');
  }
  return value as JsonObject;
}

/** An optional string field; anything else present is 400 M_BAD_JSON. */
export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw badJson(`expected "${key}" to be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}
