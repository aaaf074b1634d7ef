/** Records per POST: well under the 5,000-record and 1 MiB limits of the ingest API. */
export const BATCH = 2000;

/**
 * Posts to a town's ingest API over HTTP with an ingest token, exactly as a reporter would; the demo
 * never writes to the database itself.
 */
export class IngestClient {
  constructor(
    private readonly baseUrl: string,
    private readonly townId: string,
    private token: string,
  ) {}

  setToken(token: string): void {
    this.token = token;
  }

  async post(kind: 'usage' | 'events' | 'loc', items: readonly unknown[]): Promise<void> {
    const key = kind === 'usage' ? 'records' : kind === 'events' ? 'events' : 'agents';
    for (let i = 0; i < items.length; i += BATCH) {
      const res = await fetch(`${this.baseUrl}/api/towns/${this.townId}/${kind}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ [key]: items.slice(i, i + BATCH) }),
      });
      if (!res.ok) throw new Error(`POST ${kind}: HTTP ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    }
  }
}
