import { KEY_CACHE_TTL_MS } from '@gasgauge/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gasgauge } from '../testing/cli.js';
import { startTestServer, type TestServer } from '../testing/server.js';

/**
 * `gasgauge key …` on the data directory of a running server: the key it prints writes at once, and is
 * refused once revoked, within the KEY_CACHE_TTL_MS the server remembers a verified key (the server's clock
 * is moved past it here).
 */
let s: TestServer;
const clock = { skewMs: 0 };
beforeAll(async () => {
  s = await startTestServer({ autoTick: false, clock: () => Date.now() + clock.skewMs });
});
afterAll(async () => {
  await s?.close();
});

const usage = (key: string, id: string) =>
  s.post(
    `/api/towns/${s.townId}/usage`,
    { records: [{ id, agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() }] },
    key,
  );

describe('gasgauge key', () => {
  it('list spells out control characters a town owner put in an agent id, never sends them to the terminal', async () => {
    // Through the API, as any town owner may: an OSC that retitles the terminal, a screen clear, a bidi override.
    const agentId = 'a\u001b]0;pwned\u0007\u001b[2J\u202egnp.exe\nforged line';
    const r = await s.post('/trpc/towns.createKey', { townId: s.townId, name: 'escapes', agentId }, s.adminToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const human = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir);
    expect(human.code, human.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: none may reach the terminal
    expect(human.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    const line = human.stdout.split('\n').find((l) => l.startsWith('escapes\t'));
    expect(line).toContain('agent a\\u001b]0;pwned\\u0007\\u001b[2J\\u202egnp.exe\\u000aforged line\t');
    // Scripts get the value itself, in JSON.
    const json = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir, '--json');
    expect(JSON.parse(json.stdout).keys.find((k: { name: string }) => k.name === 'escapes').agentId).toBe(agentId);
    expect((await gasgauge('key', 'revoke', '--town', s.townId, '--name', 'escapes', '--data', s.dataDir)).code).toBe(0);
  });

  it('list spells out the invisible characters of an agent id, so two ids that differ by one never print alike', async () => {
    // A zero-width space, a soft hyphen, a byte-order mark; and an id that spells one out itself.
    const ids = { zw: 'polecat\u200B-1', shy: 'pole\u00ADcat-1\uFEFF', literal: 'polecat\\u200b-1' };
    for (const [name, agentId] of Object.entries(ids)) {
      const r = await s.post('/trpc/towns.createKey', { townId: s.townId, name, agentId }, s.adminToken);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    try {
      const human = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir);
      expect(human.code, human.stderr).toBe(0);
      const agentOf = (name: string) =>
        human.stdout
          .split('\n')
          .find((l) => l.startsWith(`${name}\t`))
          ?.match(/\tagent (\S+)\t/)?.[1];
      expect([agentOf('zw'), agentOf('shy'), agentOf('literal')]).toEqual([
        'polecat\\u200b-1',
        'pole\\u00adcat-1\\ufeff',
        'polecat\\u005cu200b-1',
      ]);
    } finally {
      for (const name of Object.keys(ids))
        expect((await gasgauge('key', 'revoke', '--town', s.townId, '--name', name, '--data', s.dataDir)).code).toBe(0);
    }
  });

  it('create prints the key once, list shows it used, revoke stops it', async () => {
    const created = await gasgauge(
      'key',
      'create',
      '--town',
      s.townId,
      '--name',
      'otel',
      '--agent',
      'a',
      '--data',
      s.dataDir,
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const { key, ...info } = JSON.parse(created.stdout);
    expect(key).toMatch(/^ggi_/);
    expect(info).toMatchObject({ townId: s.townId, name: 'otel', agentId: 'a', lastUsedAt: null });
    expect((await usage(key, 'c1')).status).toBe(200);

    const list = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir, '--json');
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).keys).toEqual([{ ...info, lastUsedAt: expect.any(Number) }]);
    expect(list.stdout).not.toContain(key);
    const human = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir);
    expect(human.stdout).toMatch(/^otel\tingest\tagent a\tcreated \S+\tlast used \d{4}-/);

    const again = await gasgauge('key', 'create', '--town', s.townId, '--name', 'otel', '--data', s.dataDir);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has a key named "otel"');

    const revoked = await gasgauge('key', 'revoke', '--town', s.townId, '--name', 'otel', '--data', s.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`Revoked ingest key otel of town ${s.townId}.`);
    clock.skewMs += KEY_CACHE_TTL_MS;
    expect((await usage(key, 'c2')).status).toBe(401);
    const missing = await gasgauge('key', 'revoke', '--town', s.townId, '--name', 'otel', '--data', s.dataDir, '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: 'not_found', path: 'name' });
  });

  it('a value the core refuses is a usage error naming its option: exit 2, as a malformed option is', async () => {
    const long = await gasgauge('key', 'create', '--town', s.townId, '--name', 'k'.repeat(1000), '--data', s.dataDir);
    expect(long.code, long.stderr).toBe(2);
    expect(long.stderr).toMatch(/^gasgauge key create: --name "k+…": /);
    const user = await gasgauge('user', 'add', 'no/slashes', '--data', s.dataDir, '--json');
    expect(user.code, user.stdout).toBe(2);
    expect(JSON.parse(user.stdout).error).toMatchObject({ code: 'bad_request', option: 'NAME' });
    // A refusal of the state, not of a value, stays 1.
    const town = await gasgauge('key', 'create', '--town', 'nowhere', '--name', 'x', '--data', s.dataDir);
    expect(town.code).toBe(1);
  });

  it('create --scrape prints a read-only ggp_ key: it reads the Prometheus endpoint and cannot ingest', async () => {
    const created = await gasgauge(
      'key',
      'create',
      '--town',
      s.townId,
      '--name',
      'grafana',
      '--scrape',
      '--data',
      s.dataDir,
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const { key, ...info } = JSON.parse(created.stdout);
    expect(key).toMatch(/^ggp_/);
    expect(info).toMatchObject({ name: 'grafana', kind: 'scrape', agentId: null });
    expect((await s.get(`/api/towns/${s.townId}/metrics/prometheus`, key)).status).toBe(200);
    expect((await usage(key, 's1')).status).toBe(401);
    // Not "agent (any)", which reads as a key that writes for every agent.
    const human = await gasgauge('key', 'list', '--town', s.townId, '--data', s.dataDir);
    expect(human.stdout).toMatch(/^grafana\tscrape\treads metrics only\tcreated \S+\tlast used /m);
    // Revoked as what it is: not an "ingest key".
    const revoked = await gasgauge('key', 'revoke', '--town', s.townId, '--name', 'grafana', '--data', s.dataDir);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim()).toBe(`Revoked scrape key grafana of town ${s.townId}.`);
  });

  it('an unknown town exits 1 naming --town', async () => {
    const r = await gasgauge('key', 'list', '--town', 'town_nope', '--data', s.dataDir, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'not_found', path: 'town' });
  });
});
