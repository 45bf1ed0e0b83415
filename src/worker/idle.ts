interface Waiter<T> {
  resolve: (item: T) => void;
  reject: (reason: unknown) => void;
}

/**
 * The threads free to take a task, and the tasks waiting for one, first come first served.
 *
 * The pool's queue already caps running tasks at the pool size, but a task can still find no
 * idle thread while a dead one is being replaced; it then waits here until one is handed back.
 */
export class IdleList<T> {
  private readonly items: T[] = [];
  private readonly waiters: Waiter<T>[] = [];

  get size(): number {
    return this.items.length;
  }

  /** An idle item now, or the next one handed back; rejects with the reason if `signal` aborts. */
  take(signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    const item = this.items.pop();
    if (item !== undefined) return Promise.resolve(item);

    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(signal.reason);
      };
      const waiter: Waiter<T> = {
        resolve: (ready) => {
          signal.removeEventListener('abort', onAbort);
          resolve(ready);
        },
        reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands an item to the longest-waiting taker, or keeps it until someone asks. */
  give(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(item);
    else this.items.push(item);
  }

  /** Forgets an item that is no longer usable (a dead thread). */
  remove(item: T): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
  }

  /** Empties the list and rejects every waiting taker. */
  clear(reason: unknown): void {
    this.items.length = 0;
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }
}
