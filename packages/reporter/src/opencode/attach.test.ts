import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentMap } from '../agents.js';
import { Store } from '../outbox/store.js';
import { fakeOpencode } from '../testing/opencode-serve.js';
import { waitFor } from '../testing/processes.js';
import { removeDir, tempDir } from '../testing/server.js';
import type { UsageRecord } from '../wire.js';
import { attachOpencode } from './attach.js';
import { OpencodeDiskSource } from './disk.js';
import { OpencodePrices } from './prices.js';

describe('attached to a live OpenCode server', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  for (const globalEvents of [true, false]) {
    it(`${globalEvents ? '/global/event' : '/event (no /global/event)'}: a disconnect in the middle loses and doubles nothing (caught up from disk)`, async () => {
      const dir = tempDir('gg-opencode-live-');
      dirs.push(dir);
      const data = join(dir, 'opencode');
      mkdirSync(data, { recursive: true });
      const fake = fakeOpencode(data, { globalEvents, password: 's3cret' });
      await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
      const store = new Store(join(dir, 'state'));
      const source = new OpencodeDiskSource({
        store,
        dirs: [data],
        agents: new AgentMap({ paths: [{ path: '/work/alpha', agentId: 'alpha' }] }),
        prices: OpencodePrices.load(),
      });
      const records = () =>
        (store.sql.prepare("SELECT body FROM outbox WHERE kind = 'usage' ORDER BY id").pluck().all() as string[]).map(
          (b) => JSON.parse(b) as UsageRecord,
        );
      const abort = new AbortController();
      const stats = { connects: 0, events: 0, skipped: 0 };
      const attached = attachOpencode(
        {
          url,
          password: 's3cret',
          signal: abort.signal,
          onEvent: (e) => source.live(e),
          onConnect: () => source.poll(),
          backoff: { baseMs: 50, maxMs: 200 },
        },
        stats,
      );
      try {
        fake.message('msg_0', 5); // Before the reporter attached: only on disk.
        await waitFor('the subscription', () => (fake.connected === 1 ? true : undefined), 5000);
        fake.message('msg_1', 10);
        fake.message('msg_1', 20);
        await waitFor('two records', () => (records().length === 2 ? true : undefined), 5000);
        expect(records()).toMatchObject([
          { id: 'msg_0', outputTokens: 5 },
          { id: 'msg_1', outputTokens: 20 },
        ]);

        fake.drop();
        await waitFor('the disconnect', () => (fake.connected === 0 ? true : undefined), 5000);
        // While disconnected: a message grows and a new one runs; no subscriber hears them.
        fake.message('msg_1', 30);
        fake.message('msg_2', 40);
        fake.up();
        await waitFor('the reconnect', () => (stats.connects === 2 && fake.connected === 1 ? true : undefined), 5000);
        fake.message('msg_3', 50);
        await waitFor('four records', () => (records().length === 4 ? true : undefined), 5000);
        expect(records().map((r) => [r.id, r.outputTokens, r.costMicrodollars, r.agentId])).toEqual([
          ['msg_0', 5, 5, 'unknown'],
          ['msg_1', 30, 30, globalEvents ? 'alpha' : 'unknown'],
          ['msg_2', 40, 40, globalEvents ? 'alpha' : 'unknown'],
          ['msg_3', 50, 50, globalEvents ? 'alpha' : 'unknown'],
        ]);
        expect(stats.skipped).toBe(0);
        if (!globalEvents) expect(fake.requests.filter((u) => u === '/global/event')).toHaveLength(1);
      } finally {
        abort.abort();
        await attached;
        source.close();
        store.close();
        await fake.close();
      }
    }, 30_000);
  }
});
