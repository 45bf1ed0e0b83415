/**
 * Fault injection for client-server requests: a matching request gets a canned answer, a
 * destroyed socket or a delay before the normal handler runs. Faults match in the order added.
 */

export interface CannedResponse {
  status: number;
  /** An object is sent as JSON; a string as it is. Default: no body. */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * - a canned answer, sent instead of running the handler;
 * - `'drop'`: the socket is destroyed before the handler runs (nothing happens);
 * - `'drop-answer'`: the handler runs (an event is stored, say), then the socket is destroyed
 *   instead of answering, as when a connection breaks after the server did the work;
 * - `{ truncateAfterBytes }`: the handler runs and its answer is cut off after that many bytes
 *   of body, with the full Content-Length announced (a download that breaks off halfway);
 * - `{ delayMs }`: the handler runs after a delay;
 * - `{ delayAnswerMs }`: the handler runs at once and its answer is sent after a delay, so a
 *   client that dies meanwhile never learns that its request succeeded.
 */
export type FaultAction =
  | CannedResponse
  | 'drop'
  | 'drop-answer'
  | { truncateAfterBytes: number }
  | { delayMs: number }
  | { delayAnswerMs: number };

export interface FaultSpec {
  /** Matches any method when absent. */
  method?: string;
  /** Tested against the raw request path, without the query string. */
  path: RegExp;
  /** How many requests the fault hits before it is spent. Default 1. */
  times?: number;
  respond: FaultAction;
}

export interface Fault {
  readonly spec: FaultSpec;
  /** Requests it will still hit. */
  remaining: number;
  /** Requests it has hit so far. */
  hits: number;
}

export class FaultInjector {
  private readonly faults: Fault[] = [];

  add(spec: FaultSpec): Fault {
    const fault: Fault = { spec, remaining: spec.times ?? 1, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The first live fault for this request, counted as used; undefined when none matches. */
  take(method: string, path: string): FaultAction | undefined {
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.spec.method === undefined || f.spec.method.toUpperCase() === method) &&
        f.spec.path.test(path),
    );
    if (!fault) return undefined;
    fault.remaining--;
    fault.hits++;
    return fault.spec.respond;
  }
}
