import { randomBytes } from 'node:crypto';
import { newUserToken } from '@gasgauge/api';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../../../server/src/testing/temp.js';
import { client, rec, sum } from '../testing/client.js';
import { startWorker, stopWorkers } from '../testing/wrangler-dev.js';

afterAll(stopWorkers);

const MINUTE = 60_000;

it('keeps every acknowledged record exactly once when wrangler dev and workerd are SIGKILLed mid-ingest', async () => {
  const opts = { persistTo: tempDir('gg-worker-'), adminToken: newUserToken(), secret: randomBytes(32).toString('base64url') };
  const first = await startWorker(opts);
  const c1 = client({ url: first.url, adminToken: opts.adminToken, close: async () => {} });
  const t = await c1.town('crash town');
  const at = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
  const acked: string[] = [];
  const sent: string[] = [];
  // Reporters keep posting one record a request, 8 at a time, while the host is killed under them.
  let n = 0;
  let killed = false;
  const poster = async () => {
    while (!killed) {
      const id = `r${n++}`;
      sent.push(id);
      const r = await c1.usage(t.id, t.ingest, [rec({ id, inputTokens: 1, at })]).catch(() => undefined);
      if (r?.status === 200 && r.body.accepted === 1) acked.push(id);
    }
  };
  const posters = Array.from({ length: 8 }, poster);
  while (acked.length < 150) await new Promise((r) => setTimeout(r, 20));
  await first.kill();
  killed = true;
  await Promise.all(posters);

  const second = await startWorker(opts);
  const c2 = client({ url: second.url, adminToken: opts.adminToken, close: async () => {} });
  const resend = (ids: string[]) =>
    c2.usage(
      t.id,
      t.ingest,
      ids.map((id) => rec({ id, inputTokens: 1, at })),
    );
  // Every acknowledged record survived: none is new to the restarted host.
  expect((await resend(acked)).body).toMatchObject({ accepted: 0, duplicates: acked.length });
  // The unacknowledged ones were stored or not, each at most once; sent again, every one counts once.
  const again = await resend(sent);
  expect(again.body.accepted + again.body.duplicates).toBe(sent.length);
  const s = await c2.series(t.id, at, at + MINUTE, 1);
  expect(sum(s.series.input_tokens)).toBe(sent.length);
  await second.stop();
}, 180_000);
