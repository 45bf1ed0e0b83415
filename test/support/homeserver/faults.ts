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

export type FaultAction = CannedResponse | 'drop' | { delayMs: number };

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
