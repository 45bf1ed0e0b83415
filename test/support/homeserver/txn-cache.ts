/**
 * Idempotency of client requests that carry a transaction id, as Synapse's
 * `HttpTransactionCache` does it: the key is the raw request path (which includes the txn id)
 * and who sent it: the appservice as a whole for its as_token, whichever user it masquerades
 * as; the access token otherwise. Only successes are kept, so a refused request can be retried.
 * Synapse forgets entries after 30–60 minutes; this server keeps them for its whole life.
 */
export class TransactionCache<T> {
  private readonly entries = new Map<string, T>();

  static keyFor(path: string, sender: { appserviceId?: string; accessToken: string }): string {
    const who = sender.appserviceId
      ? `appservice\u0000${sender.appserviceId}`
      : `token\u0000${sender.accessToken}`;
    return `${who}\u0000${path}`;
  }

  get(key: string): T | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: T): void {
    this.entries.set(key, value);
  }
}
