import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { procedureInputs } from '../../../api/src/fuzz/valid-inputs.js';
import { procedureKinds } from '../../../api/src/router.js';
import type { HttpResult } from '../../../server/src/testing/server.js';
import { client } from '../testing/client.js';
import { HOSTS, type Host } from '../testing/hosts.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
/** Inputs per procedure, ×FUZZ_RUNS (the fuzz test's generators: valid by the schema, aimed at edges and at ids that are not there). */
const RUNS = 4 * Number(process.env.FUZZ_RUNS ?? 1);
/** Stand-ins for the ids each host makes, put in its own before sending. */
const PLACES = ['@admin-town', '@user-town', '@admin-org', '@user-org'] as const;

interface Answer {
  status: number;
  code: string | undefined;
  path: string | undefined;
}

/**
 * The fuzz test's inputs for every tRPC procedure, sent alike to both hosts in one order, as the admin and
 * as a user: each must be answered with the same status, error code and field on both. The fuzz test
 * proves no input makes the Node server fail; this proves the Worker refuses, and accepts, what Node does.
 */
describe('every host refuses and accepts the same inputs', () => {
  const hosts: { h: Host; c: ReturnType<typeof client>; ids: Map<string, string>; user: string }[] = [];

  beforeAll(async () => {
    for (const [, start] of HOSTS) {
      const h = await start();
      const c = client(h);
      const user = await c.user('fuzzer');
      const ids = new Map<string, string>([
        ['@admin-town', (await c.town('admin town')).id],
        ['@user-town', (await c.town('user town', user.token)).id],
        ['@admin-org', data(await c.mutate('orgs.create', { name: 'admin org' }), 'orgs.create').id],
        ['@user-org', data(await c.mutate('orgs.create', { name: 'user org' }, user.token), 'orgs.create').id],
      ]);
      hosts.push({ h, c, ids, user: user.token });
    }
  }, 180_000);
  afterAll(() => Promise.all(hosts.map(({ h }) => h.close())));

  it('answers every generated call alike', async () => {
    const inputs = procedureInputs({
      now: Date.now(),
      townIds: ['@admin-town', '@user-town', 'town_nope'],
      orgIds: ['@admin-org', '@user-org', 'org_nope'],
      userNames: ['admin', 'fuzzer', 'nobody'],
    });
    const differ: string[] = [];
    let calls = 0;
    for (const [name, kind] of procedureKinds()) {
      if (kind === 'subscription') continue;
      const arbitrary = inputs[name];
      if (!arbitrary) throw new Error(`no inputs for ${name}`);
      for (const [i, input] of fc.sample(arbitrary, { seed: SEED, numRuns: RUNS }).entries()) {
        // Replacing every token of a user would sign the test out.
        if (name === 'users.mintToken' && (input as { revokeOthers?: boolean }).revokeOthers) continue;
        const answers: Answer[] = [];
        for (const { c, ids, user, h } of hosts) {
          let text = JSON.stringify(input ?? null);
          for (const place of PLACES) text = text.replaceAll(`"${place}"`, JSON.stringify(ids.get(place)));
          const sent = input === undefined ? undefined : JSON.parse(text);
          const token = i % 2 === 0 ? h.adminToken : user;
          const r = kind === 'query' ? await c.query(name, sent, token) : await c.mutate(name, sent, token);
          answers.push(answerOf(r));
        }
        calls++;
        const [node, worker] = answers;
        if (JSON.stringify(node) !== JSON.stringify(worker))
          differ.push(`${name} ${JSON.stringify(input)}: node ${JSON.stringify(node)}, worker ${JSON.stringify(worker)}`);
      }
    }
    expect(calls).toBeGreaterThan(100);
    expect(differ).toEqual([]);
  }, 300_000);
});

function data(r: HttpResult, what: string) {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.result.data as { id: string };
}

function answerOf(r: HttpResult): Answer {
  const error = r.body?.error as { data?: { code?: string; path?: string }; message?: string } | undefined;
  return { status: r.status, code: error?.data?.code, path: error?.data?.path ?? undefined };
}
