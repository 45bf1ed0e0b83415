import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { JobError, describe } from '../errors.js';
import { formatBytes } from '../format.js';
import { retryAfterMs } from '../retry.js';
import { parseMxc } from './mxc.js';

export interface DownloadOptions {
  /** The homeserver's client-server base URL; media is fetched from there and nowhere else. */
  homeserverUrl: string;
  /** The appservice's `as_token`: authenticated media needs one. */
  accessToken: string;
  mxcUrl: string;
  /** Final path of the file; it is written beside it first and renamed when complete. */
  destination: string;
  maxBytes: number;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Node loads its fetch implementation on first use, about 25 ms of the main thread; doing it at
 * start-up keeps that out of the turn that starts the first download of a burst.
 */
export function loadFetch(): void {
  void new Response('');
}

/**
 * Streams a file from the homeserver to disk: the authenticated endpoint first, the legacy one
 * when the server does not know it. Stops at `maxBytes` and at the deadline; a partial file is
 * never left behind.
 */
export async function downloadMedia(
  options: DownloadOptions,
): Promise<{ bytes: number; sha256: string }> {
  const mxc = parseMxc(options.mxcUrl);
  if (!mxc) throw new JobError('bad_upload', `invalid mxc URI ${JSON.stringify(options.mxcUrl)}`);
  const base = options.homeserverUrl.replace(/\/+$/, '');
  const where = `${encodeURIComponent(mxc.serverName)}/${encodeURIComponent(mxc.mediaId)}`;
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)])
    : AbortSignal.timeout(options.timeoutMs);

  let response = await get(`${base}/_matrix/client/v1/media/download/${where}`, options, signal);
  if (await isUnknownEndpoint(response)) {
    response = await get(
      `${base}/_matrix/media/v3/download/${where}?allow_remote=true`,
      options,
      signal,
    );
  }
  if (!response.ok) throw await mediaError(response, options.mxcUrl);

  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(declared, options.maxBytes);
  }
  if (!response.body) throw new JobError('media_unavailable', 'media response had no body');

  const partial = `${options.destination}.part`;
  let bytes = 0;
  const hash = createHash('sha256');
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      hash.update(chunk);
      if (bytes > options.maxBytes) callback(tooLarge(bytes, options.maxBytes));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream),
      counter,
      createWriteStream(partial),
      { signal },
    );
    await rename(partial, options.destination);
  } catch (error) {
    await rm(partial, { force: true });
    if (error instanceof JobError) throw error;
    throw new JobError(
      'media_unavailable',
      `download of ${options.mxcUrl} broke off after ${bytes} bytes: ${describe(error)}`,
      { cause: error },
    );
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function get(url: string, options: DownloadOptions, signal: AbortSignal): Promise<Response> {
  try {
    return await fetch(url, {
      headers: { Authorization: `Bearer ${options.accessToken}` },
      redirect: 'follow',
      signal,
    });
  } catch (error) {
    throw new JobError(
      'media_unavailable',
      `cannot reach the homeserver for ${options.mxcUrl}: ${describe(error)}`,
      { cause: error },
    );
  }
}

/** True when the server does not implement the authenticated media endpoints. */
async function isUnknownEndpoint(response: Response): Promise<boolean> {
  if (response.status === 405) return true;
  if (response.status !== 404) return false;
  const body = await response
    .clone()
    .json()
    .catch(() => undefined);
  return (body as { errcode?: unknown } | undefined)?.errcode === 'M_UNRECOGNIZED';
}

async function mediaError(response: Response, mxcUrl: string): Promise<JobError> {
  const body = (await response.json().catch(() => ({}))) as { errcode?: unknown; error?: unknown };
  const errcode = typeof body.errcode === 'string' ? body.errcode : 'none';
  const detail = `download of ${mxcUrl} answered ${response.status} (errcode ${errcode})`;
  if (errcode === 'M_TOO_LARGE' || response.status === 413)
    return new JobError('too_large', detail);
  if (response.status === 404) return new JobError('media_missing', detail);
  return new JobError('media_unavailable', detail, {
    retryAfterMs: retryAfterMs(response.headers),
  });
}

function tooLarge(bytes: number, limit: number): JobError {
  return new JobError('too_large', `file is at least ${bytes} bytes; the limit is ${limit}`, {
    userMessage: `This file is larger than ${formatBytes(limit)}, the most I can summarize.`,
  });
}
