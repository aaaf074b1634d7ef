import { describe, expect, it } from 'vitest';
import { rec } from '../testing/client.js';
import { hostsWith, useHost } from '../testing/hosts.js';

/** Each town's storage quota in the hosts under test: 1 MiB, which one batch of 5,000 made-up agents passes. */
const QUOTA_MB = 1;

const HOSTS_WITH_QUOTA = hostsWith({ maxTownMb: QUOTA_MB });

/** A greedy ingest-token holder's batch: 5,000 records, each of a new agent. */
function greedy(tag: string) {
  const at = Date.now() - 60_000;
  return Array.from({ length: 5000 }, (_, i) => rec({ id: `${tag}-${i}`, agentId: `made-up-${tag}-${i}`, inputTokens: 1, at }));
}

/** One Codex-like OTLP log record (JSON encoding) that carries usage. */
function otlpLogs(at: number) {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('gt.agent', 'codex-1')] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: `${at}000000`,
                attributes: [
                  str('event.name', 'codex.sse_event'),
                  str('event.kind', 'response.completed'),
                  str('conversation.id', 'c1'),
                  str('model', 'gpt-5'),
                  { key: 'input_token_count', value: { intValue: 300 } },
                  { key: 'output_token_count', value: { intValue: 40 } },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

/** Each town's storage quota, run unchanged against both hosts (`--max-town-mb`, the Worker's `MAX_TOWN_MB`). */
describe.each(HOSTS_WITH_QUOTA)('%s host: town storage quota', (_name, start) => {
  const host = useHost(start);

  it('a town past its quota refuses ingest on every route with a 507 that says why, stores nothing, and the other towns go on', async () => {
    const full = await host.c.town('greedy');
    const other = await host.c.town('neighbour');
    // Admitted under the quota, and past it by this one batch.
    const first = await host.c.usage(full.id, full.ingest, greedy('a'));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ accepted: 5000 });

    const refused = await host.c.usage(full.id, full.ingest, [rec({ id: 'late', inputTokens: 7 })]);
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatchObject({ code: 'insufficient_storage' });
    expect(refused.body.error.message).toMatch(/storage quota is used up: it holds \d+\.\d MiB of data and may hold 1 MiB/);
    for (const [path, body] of [
      [
        `/api/towns/${full.id}/events`,
        { events: [{ id: 'e1', type: 'agent', agentId: 'polecat-1', status: 'working', at: Date.now() }] },
      ],
      [`/api/towns/${full.id}/loc`, { agents: [{ agentId: 'polecat-1', additions: 1, deletions: 0 }] }],
    ] as const) {
      const r = await host.c.post(path, body, full.ingest);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(507);
    }
    const key = await host.c.mutate('towns.createKey', { townId: full.id, name: 'otel' });
    expect(key.status, JSON.stringify(key.body)).toBe(200);
    const otlp = await host.c.post('/v1/logs', otlpLogs(Date.now() - 1000), key.body.result.data.key as string);
    expect(otlp.status, JSON.stringify(otlp.body)).toBe(507);

    // Nothing of the refused requests counted; reads of the full town still answer.
    const now = Date.now();
    const s = await host.c.series(full.id, now - 3_600_000, now + 60_000, 5000);
    expect(s.series.input_tokens?.reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(5000);
    // Prometheus says so (an operator alerts on it); the neighbour's says 0.
    const scrape = async (townId: string) => String((await host.c.get(`/api/towns/${townId}/metrics/prometheus`)).body);
    expect(await scrape(full.id)).toMatch(/^gasgauge_storage_full 1$/m);
    expect(await scrape(other.id)).toMatch(/^gasgauge_storage_full 0$/m);
    // The neighbour takes data as before, and the server is up.
    const ok = await host.c.usage(other.id, other.ingest, [rec({ id: 'fine', inputTokens: 3 })]);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ accepted: 1 });
    expect((await host.c.get('/healthz', null)).status).toBe(200);
  });
});
