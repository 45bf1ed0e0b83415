/**
 * The waiting between attempts at a remote call, for every caller (homeserver, media, model,
 * job retries): exponential backoff with jitter, the server's own Retry-After, and a sleep that
 * an AbortSignal cuts short.
 */

/**
 * Milliseconds to wait before attempt `attempt + 1`: `initialMs · 2^(attempt-1)`, capped at
 * `maxMs`, then a random share between a half and all of it, so that many clients do not retry
 * in step.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** The part of a response's headers {@link retryAfterMs} reads, as `Headers` has it. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * The wait a response asks for, in milliseconds: `retry-after-ms` first, then `Retry-After` as
 * seconds or as an HTTP date. Undefined when absent or unreadable; never negative.
 */
export function retryAfterMs(
  headers: HeaderSource | undefined,
  now = Date.now(),
): number | undefined {
  if (!headers) return undefined;

  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds)) return Math.max(0, Math.round(milliseconds));

  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number.parseFloat(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
