import { type HttpResult, request, startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import { controlState as readControl, townState as readTown } from '@gasgauge/server/testing/state';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procedureKinds } from '../router.js';
import { type Body, body, shaped, toJson } from './arbitraries.js';
import { ingestBodies, procedureInputs, restReads, type World } from './valid-inputs.js';

/**
 * `FUZZ_SEED=7 FUZZ_RUNS=10 npx vitest run packages/api/src/fuzz` explores another seed with 10× the
 * default runs (a multiplier: each target has its own base count, about 15 s in all at ×1).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const NOW = 1_795_608_000_000;
const RAW_QUERY_SUFFIXES = ['', '&x=%FF', '&x=%', '&from=%E2%82', '&%ZZ=1', '&to=%00'];

let s: TestServer;
let user: { id: string; token: string };
let world: World;

beforeAll(async () => {
  // A clock that stands still: nothing expires and no tick runs, so any change between two reads is a write.
  s = await startTestServer({ clock: () => NOW, autoTick: false });
  user = await s.addUser('fuzzer');
  const userTown = trpcData(await s.post('/trpc/towns.create', { name: 'user town' }, user.token)).id;
  const adminOrg = trpcData(await s.post('/trpc/orgs.create', { name: 'admin org' }, s.adminToken)).id;
  const userOrg = trpcData(await s.post('/trpc/orgs.create', { name: 'user org' }, user.token)).id;
  world = {
    now: NOW,
    townIds: [s.townId, userTown, 'town_nope'],
    orgIds: [adminOrg, userOrg, 'org_nope'],
    userNames: ['admin', 'fuzzer', 'nobody'],
  };
});
afterAll(async () => {
  await s?.close();
});

function trpcData(r: HttpResult) {
  if (r.status !== 200) throw new Error(`HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.result.data;
}

/**
 * Runs a property `runs × FUZZ_RUNS` times from FUZZ_SEED. On failure, the seed and the run's path
 * (to replay it) and the assertion, which names the request; not the whole counterexample, which may
 * be a megabyte. No shrinking: each run changes the server, so a shrunk replay would not reproduce it.
 */
async function check<T extends unknown[]>(runs: number, property: fc.IAsyncProperty<T>): Promise<void> {
  const numRuns = Math.max(1, Math.round(runs * RUNS));
  const out = await fc.check(property, { seed: SEED, numRuns, endOnFailure: true });
  if (!out.failed) return;
  const cause = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(
    `fuzz failed: FUZZ_SEED=${out.seed} path=${out.counterexamplePath} after ${out.numRuns} runs\n${cause.slice(0, 2000)}`,
  );
}

/**
 * Stored usage and activity records whose agent, model, provider or bead is not 1 to 256 characters (SQLite's
 * length() counts characters): what REST refuses, OTLP must not store either.
 */
function recordsPastIdBounds(): unknown[] {
  const { sql } = s.openTown(s.townId);
  const bad = (column: string) => `(${column} IS NOT NULL AND (length(${column}) < 1 OR length(${column}) > 256))`;
  return [
    ...sql.rows(
      `SELECT agent_id, model, provider, bead_id FROM usage_records WHERE ${['agent_id', 'model', 'provider', 'bead_id'].map(bad).join(' OR ')}`,
    ),
    ...sql.rows(`SELECT agent_id FROM activity_records WHERE ${bad('agent_id')}`),
  ];
}

const bodyText = (b: Body) => ('json' in b ? b.json : new TextDecoder().decode(b.bytes));
const bodyPayload = (b: Body) => ('json' in b ? b.json : b.bytes);

/** Never a 5xx; a 400 names the field at fault; the server still answers. */
async function otlpProtobuf(path: string, bytes: Uint8Array): Promise<HttpResult> {
  const res = await fetch(s.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.ingestToken}`, 'content-type': 'application/x-protobuf' },
    body: Buffer.from(bytes),
  });
  const text = Buffer.from(await res.arrayBuffer()).toString('latin1');
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function expectSane(r: HttpResult, what: string): Promise<void> {
  const show = `${what} → ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`;
  expect(r.status, show).toBeLessThan(500);
  expect(r.status, show).toBeGreaterThanOrEqual(200);
  if (r.status === 400) expect(errorPath(r.body), show).toEqual(expect.stringMatching(/.+/));
  expect((await s.get('/api/health', null)).status, `health after ${show}`).toBe(200);
}

/** The field named by a REST error, a tRPC error, or the first error of a tRPC batch. */
function errorPath(b: unknown): unknown {
  const first = Array.isArray(b) ? b.find((x) => x?.error) : b;
  const e = (first as { error?: { path?: unknown; data?: { path?: unknown } } } | undefined)?.error;
  return e?.path ?? e?.data?.path;
}

const townState = (townId: string) => readTown(s, townId, NOW);
const controlState = () =>
  readControl(s, [
    { token: s.adminToken, orgId: world.orgIds[0] as string, townId: world.townIds[0] as string },
    { token: user.token, orgId: world.orgIds[1] as string, townId: world.townIds[1] as string },
  ]);

/** Mostly the two users (a server admin and an ordinary user); sometimes no or the wrong credential. */
const callers = () =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('admin', 'user') },
    { weight: 1, arbitrary: fc.constantFrom('none', 'ingest', 'garbage') },
  );
function token(caller: string): string | null {
  if (caller === 'admin') return s.adminToken;
  if (caller === 'user') return user.token;
  if (caller === 'ingest') return s.ingestToken;
  if (caller === 'garbage') return 'ggu_not-a-token';
  return null;
}

describe(`fuzz over real HTTP (FUZZ_SEED=${SEED}, FUZZ_RUNS×${RUNS})`, () => {
  it('POST /v1/metrics and /v1/logs (OTLP/JSON, and raw bytes as protobuf): never 5xx, a 4xx stores nothing', async () => {
    let before = await townState(s.townId);
    const protobufBytes = fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes }));
    const route = fc.constantFrom('/v1/metrics', '/v1/logs');
    const bodies = ingestBodies(world);
    const requests = fc.oneof(
      fc.tuple(fc.constant('/v1/metrics'), body(bodies.otlpMetrics)),
      fc.tuple(fc.constant('/v1/logs'), body(bodies.otlpLogs)),
      fc.tuple(route, protobufBytes),
    );
    await check(
      40,
      fc.asyncProperty(requests, async ([path, b]) => {
        const r =
          'bytes' in b
            ? await otlpProtobuf(path, b.bytes)
            : await request(s.url, 'POST', path, s.ingestToken, bodyPayload(b as Parameters<typeof bodyPayload>[0]));
        await expectSane(r, `POST ${path} ${'bytes' in b ? Buffer.from(b.bytes).toString('hex') : bodyText(b).slice(0, 300)}`);
        const after = await townState(s.townId);
        if (r.status >= 400) expect(after, `a ${r.status} stored something`).toEqual(before);
        before = after;
        expect(recordsPastIdBounds(), "an OTLP record past a posted record's id bounds was stored").toEqual([]);
      }),
    );
  });

  it.each(['usage', 'loc', 'events'] as const)('POST /api/towns/:id/%s: never 5xx, a 4xx stores nothing', async (route) => {
    const path = `/api/towns/${s.townId}/${route}`;
    let before = await townState(s.townId);
    await check(
      40,
      fc.asyncProperty(body(ingestBodies(world)[route]), async (b) => {
        const r = await request(s.url, 'POST', path, s.ingestToken, bodyPayload(b));
        await expectSane(r, `POST ${route} ${bodyText(b).slice(0, 300)}`);
        const after = await townState(s.townId);
        if (r.status >= 400) expect(after, `a ${r.status} stored something`).toEqual(before);
        before = after;
      }),
    );
  });

  const procedures = procedureKinds();

  it('has a valid input for every tRPC procedure', () => {
    expect(Object.keys(procedureInputs(world)).sort()).toEqual(procedures.map(([name]) => name).sort());
  });

  it.each(procedures)('tRPC %s (%s): never 5xx, a failed mutation changes nothing', async (name, type) => {
    const valid = procedureInputs(world)[name] as fc.Arbitrary<unknown>;
    const input = fc.oneof(
      { weight: 4, arbitrary: shaped(valid).map((v) => (v === undefined ? undefined : toJson(v))) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.string({ unit: 'binary', maxLength: 50 }),
        ),
      },
    );
    let before = type === 'mutation' ? await controlState() : undefined;
    await check(
      10,
      fc.asyncProperty(input, callers(), async (text, caller) => {
        const what = `${caller} ${type} ${name} ${text?.slice(0, 300)}`;
        if (type === 'mutation') {
          const r = await request(s.url, 'POST', `/trpc/${name}`, token(caller), text ?? '');
          await expectSane(r, what);
          const after = await controlState();
          if (r.status >= 400) expect(after, `a ${r.status} changed something`).toEqual(before);
          before = after;
        } else if (type === 'query') {
          const query = text === undefined ? '' : `?input=${utf8Percent(text)}`;
          await expectSane(await request(s.url, 'GET', `/trpc/${name}${query}`, token(caller)), what);
        } else {
          await expectSane(await subscribe(name, text, token(caller)), what);
        }
      }),
    );
  });

  it('REST reads: never 5xx', async () => {
    await check(
      80,
      fc.asyncProperty(
        restReads(world),
        callers(),
        fc.constantFrom(...RAW_QUERY_SUFFIXES),
        async ({ path, query }, caller, suffix) => {
          const qs = Object.entries(query)
            .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${utf8Percent(k)}=${utf8Percent(x)}`))
            .join('&');
          const url = `${path}?${qs}${suffix}`;
          await expectSane(await request(s.url, 'GET', url, token(caller)), `${caller} GET ${url.slice(0, 300)}`);
        },
      ),
    );
  });
});

/** Percent-encodes a string's UTF-8 bytes (lone surrogates become U+FFFD; encodeURIComponent would throw). */
function utf8Percent(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}

/** Opens an SSE subscription, reads its status and first chunk, and closes it. */
async function subscribe(name: string, input: string | undefined, tok: string | null): Promise<HttpResult> {
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (tok !== null) headers.authorization = `Bearer ${tok}`;
  const ac = new AbortController();
  const res = await fetch(`${s.url}/trpc/${name}${input === undefined ? '' : `?input=${utf8Percent(input)}`}`, {
    headers,
    signal: ac.signal,
  });
  const reader = res.body?.getReader();
  const first = reader ? await reader.read() : undefined;
  ac.abort();
  const text = first?.value ? new TextDecoder().decode(first.value) : '';
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  // A stream answers 200 and reports a bad input as an error event; a 5xx event is a server fault.
  const eventError = /"httpStatus":5\d\d|INTERNAL_SERVER_ERROR/.test(text);
  return { status: eventError ? 500 : res.status, body: parsed };
}
