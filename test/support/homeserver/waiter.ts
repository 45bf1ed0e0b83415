import type { ClientEvent } from './events.js';

export interface WaitOptions {
  /** How long to wait. Default 5000 ms. */
  timeoutMs?: number;
  /** Names what is awaited in the timeout message. */
  description?: string;
}

interface Pending {
  predicate: (event: ClientEvent) => boolean;
  resolve: (event: ClientEvent) => void;
  reject: (error: unknown) => void;
}

/** How many recent events a timeout message lists. */
const RECENT_IN_MESSAGE = 15;

function summarize(event: ClientEvent): string {
  const body = event.content.body ?? event.content.membership;
  const detail = typeof body === 'string' ? ` "${body.slice(0, 60)}"` : '';
  const key = event.state_key !== undefined ? `[${event.state_key}]` : '';
  return `${event.type}${key} from ${event.sender} in ${event.room_id}${detail}`;
}

/** Lets tests wait for an event that exists already or is still to come. */
export class EventWaiter {
  private readonly pending = new Set<Pending>();

  constructor(private readonly allEvents: () => ClientEvent[]) {}

  /** Called for every new event, in order. A predicate that throws rejects its own wait. */
  notify(event: ClientEvent): void {
    for (const entry of [...this.pending]) {
      let matched: boolean;
      try {
        matched = entry.predicate(event);
      } catch (error) {
        this.pending.delete(entry);
        entry.reject(error);
        continue;
      }
      if (matched) {
        this.pending.delete(entry);
        entry.resolve(event);
      }
    }
  }

  wait(
    predicate: (event: ClientEvent) => boolean,
    options: WaitOptions = {},
  ): Promise<ClientEvent> {
    let existing: ClientEvent | undefined;
    try {
      existing = this.allEvents().find(predicate);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (existing) return Promise.resolve(existing);

    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const entry: Pending = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      };
      const timer = setTimeout(() => {
        this.pending.delete(entry);
        const recent = this.allEvents().slice(-RECENT_IN_MESSAGE).map(summarize);
        reject(
          new Error(
            `no event matched ${options.description ?? 'the predicate'} within ${timeoutMs} ms; ` +
              `the last ${recent.length} events were:\n  ` +
              (recent.join('\n  ') || '(none)'),
          ),
        );
      }, timeoutMs);
      this.pending.add(entry);
    });
  }
}
