import { appendFileSync, mkdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSource } from '../http/token.js';
import { Sender } from '../outbox/sender.js';
import { Store } from '../outbox/store.js';
import { growOnEachCursor } from '../testing/fast-writer.js';
import { type InProcessServer, removeDir, serverTotals, startTestServer, tempDir } from '../testing/server.js';
import type { TownEvent } from '../wire.js';
import { type GtEvent, mapGastownEvent, roleOf } from './events.js';
import { GastownSource } from './source.js';

const at = Date.parse('2026-11-25T10:00:00Z');
const map = (e: Omit<GtEvent, 'ts'>, beads: Record<string, string> = {}) =>
  mapGastownEvent({ ts: '2026-11-25T10:00:00Z', ...e }, 'gt:x', at, { beadForBranch: (b) => beads[b] }).events;

describe('Gas Town event mapping', () => {
  it('maps agent lifecycle events to agent statuses', () => {
    expect(map({ type: 'spawn', actor: 'gt', payload: { rig: 'gastown', polecat: 'Toast' } })).toEqual([
      { id: 'gt:x:agent', at, type: 'agent', agentId: 'gastown/polecats/Toast', role: 'polecat', status: 'idle' },
    ]);
    expect(map({ type: 'session_start', actor: 'gastown/crew/joe', payload: { session_id: 's' } })[0]).toMatchObject({
      agentId: 'gastown/crew/joe',
      role: 'crew',
      status: 'working',
    });
    expect(map({ type: 'session_end', actor: 'mayor/' })[0]).toMatchObject({ agentId: 'mayor', role: 'mayor', status: 'idle' });
    expect(map({ type: 'kill', actor: 'gt', payload: { rig: 'gastown', target: 'Toast' } })[0]).toMatchObject({
      agentId: 'gastown/polecats/Toast',
      status: 'dead',
    });
    expect(
      map({ type: 'session_death', actor: 'gt-gastown-Toast', payload: { agent: 'gastown/polecats/Toast' } })[0],
    ).toMatchObject({ agentId: 'gastown/polecats/Toast', status: 'dead' });
  });

  it('maps work events to bead statuses and the agent holding the bead', () => {
    expect(map({ type: 'sling', actor: 'mayor', payload: { bead: 'gt-1', target: 'gastown/polecats/Toast' } })).toEqual([
      { id: 'gt:x:bead', at, type: 'bead', beadId: 'gt-1', status: 'in_progress', assigneeAgentId: 'gastown/polecats/Toast' },
      {
        id: 'gt:x:agent',
        at,
        type: 'agent',
        agentId: 'gastown/polecats/Toast',
        role: 'polecat',
        status: 'working',
        beadId: 'gt-1',
      },
    ]);
    expect(map({ type: 'hook', actor: 'gastown/polecats/Toast', payload: { bead: 'gt-1' } }).map((e) => e.type)).toEqual([
      'bead',
      'agent',
    ]);
    expect(map({ type: 'unhook', actor: 'gastown/polecats/Toast', payload: { bead: 'gt-1' } })[0]).toMatchObject({
      status: 'open',
    });
    const done = mapGastownEvent(
      { ts: 'x', type: 'done', actor: 'gastown/polecats/Toast', payload: { bead: 'gt-1', branch: 'polecat/Toast/gt-1' } },
      'gt:x',
      at,
      { beadForBranch: () => undefined },
    );
    expect(done.events.map((e) => (e.type === 'bead' || e.type === 'agent' ? e.status : e.type))).toEqual(['in_review', 'idle']);
    expect(done.branch).toEqual({ branch: 'polecat/Toast/gt-1', beadId: 'gt-1' });
    expect(
      map(
        { type: 'merged', actor: 'gastown/refinery', payload: { branch: 'polecat/Toast/gt-1' } },
        { 'polecat/Toast/gt-1': 'gt-1' },
      ),
    ).toEqual([
      { id: 'gt:x:bead', at, type: 'bead', beadId: 'gt-1', status: 'closed' },
      { id: 'gt:x:note', at, type: 'note', name: 'gt.merged', data: { actor: 'gastown/refinery', branch: 'polecat/Toast/gt-1' } },
    ]);
  });

  it('passes unknown types, and known ones missing their fields, through as notes', () => {
    expect(map({ type: 'weather', actor: 'deacon', payload: { sky: 'grey' } })).toEqual([
      { id: 'gt:x:note', at, type: 'note', name: 'gt.weather', data: { actor: 'deacon', sky: 'grey' } },
    ]);
    expect(map({ type: 'merged', actor: 'gastown/refinery', payload: { branch: 'unknown' } })[0]?.type).toBe('note');
    expect(map({ type: 'sling', actor: 'mayor' })[0]?.type).toBe('note');
    const big = map({ type: 'mail', actor: 'mayor', payload: { body: 'x'.repeat(5000) } })[0] as Extract<
      TownEvent,
      { type: 'note' }
    >;
    expect(big.data).toEqual({ actor: 'mayor', truncated: true });
  });

  it('names roles after Gas Town identities', () => {
    expect(
      ['gastown/polecats/Toast', 'gastown/crew/joe', 'gastown/refinery', 'gastown/witness', 'mayor', 'deacon', 'x'].map(roleOf),
    ).toEqual(['polecat', 'crew', 'refinery', 'witness', 'mayor', 'deacon', undefined]);
  });
});

describe('tailing <town>/.events.jsonl into the real server', () => {
  let dir: string;
  let server: InProcessServer;
  let store: Store;
  let sender: Sender;
  const ev = (ts: number, type: string, actor: string, payload: Record<string, unknown>) =>
    JSON.stringify({
      ts: new Date(ts).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      source: 'gt',
      type,
      actor,
      payload,
      visibility: 'feed',
    });

  /** A sender of this store's outbox to the test server (one per reporter lifetime in the tests below). */
  const senderFor = (s: Store) =>
    new Sender({ store: s, serverUrl: server.url, townId: server.townId, token: new TokenSource({ file: server.tokenFile }) });

  beforeAll(async () => {
    dir = tempDir('gg-gastown-');
    server = await startTestServer(dir);
    store = new Store(join(dir, 'state'));
    sender = senderFor(store);
  });
  afterAll(async () => {
    store?.close();
    await server?.close();
    removeDir(dir);
  });

  it('delivers the mapped events (the server accepts every shape), counts beads, and survives a prune that rewrites the file', async () => {
    const t0 = Date.now() - 600_000;
    const file = join(dir, '.events.jsonl');
    const lines = [
      ev(t0, 'spawn', 'gt', { rig: 'gastown', polecat: 'Toast' }),
      ev(t0 + 1000, 'session_start', 'gastown/polecats/Toast', { session_id: 'abc', role: 'gastown/polecats/Toast' }),
      ev(t0 + 2000, 'sling', 'mayor', { bead: 'gt-1', target: 'gastown/polecats/Toast' }),
      ev(t0 + 3000, 'hook', 'gastown/polecats/Toast', { bead: 'gt-1' }),
      ev(t0 + 4000, 'nudge', 'gastown/witness', { rig: 'gastown', target: 'Toast', reason: 'idle' }),
      'not json at all',
      ev(t0 + 5000, 'done', 'gastown/polecats/Toast', { bead: 'gt-1', branch: 'polecat/Toast/gt-1' }),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const src = new GastownSource(store, dir);
    await src.poll();
    // The merge comes later, in a later poll: the branch → bead link was kept in the state.
    appendFileSync(
      file,
      `${ev(t0 + 9000, 'merged', 'gastown/refinery', { mr: 'gt-mr1', worker: 'Toast', branch: 'polecat/Toast/gt-1' })}\n`,
    );
    appendFileSync(file, `${ev(t0 + 9500, 'weather', 'deacon', { sky: 'grey' })}\n`);
    await src.poll();
    expect(src.stats).toMatchObject({ lines: 8, malformed: 1 });
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    expect(sender.state.quarantined).toBe(0);
    // spawn 1, session_start 1, sling 2, hook 2, nudge 1, done 2, merged 2, weather 1
    let t = await serverTotals(server.url, server.adminToken, server.townId);
    expect([t.events, t.beads_created, t.beads_closed]).toEqual([12, 1, 1]);

    // `gt krc prune` writes a pruned copy and renames it over the file: read again from the start, nothing counted twice.
    writeFileSync(`${file}.tmp`, `${lines.slice(3).join('\n')}\n`);
    renameSync(`${file}.tmp`, file);
    await src.poll();
    expect(await sender.drain(Date.now() + 10_000)).toBe(true);
    t = await serverTotals(server.url, server.adminToken, server.townId);
    expect([t.events, t.beads_created, t.beads_closed]).toEqual([12, 1, 1]);
    expect(sender.state.server.duplicates).toBeGreaterThan(0);
  });

  it('a hostile event log: every line it can read is delivered and none is refused; the lines after it are read', async () => {
    const town = join(dir, 'town-hostile');
    mkdirSync(town);
    const file = join(town, '.events.jsonl');
    const stateDir = join(dir, 'state-hostile');
    const t0 = Date.now() - 300_000;
    const long = (c: string) => c.repeat(300);
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const lines = [
      ev(t0, 'session_start', 'gastown/polecats/A', {}),
      // 300,000 levels in 600 KB: JSON.parse takes it; a recursive JSON.stringify of it overflowed the stack.
      `{"ts":"${new Date(t0).toISOString()}","type":"nudge","actor":"x","payload":{"a":${nested(300_000)}}}`,
      // 40 levels in a few bytes: under the note's 2000 characters, past the server's 32 levels.
      `{"ts":"${new Date(t0).toISOString()}","type":"nudge","actor":${nested(40)},"payload":{"a":${nested(40)}}}`,
      ev(t0 + 1000, 'sling', 'mayor', { bead: `gt-${long('b')}`, target: `gastown/polecats/${long('t')}` }),
      ev(t0 + 2000, 'spawn', 'gt', { rig: long('r'), polecat: 'P' }),
      // Times the server cannot take: malformed lines, not refused events.
      JSON.stringify({ ts: '1960-01-01T00:00:00Z', type: 'session_start', actor: 'gastown/polecats/C' }),
      JSON.stringify({ ts: '3000-01-01T00:00:00Z', type: 'session_start', actor: 'gastown/polecats/C' }),
      ev(t0 + 3000, 'session_start', 'gastown/polecats/B', {}),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const before = (await serverTotals(server.url, server.adminToken, server.townId)).events;
    const s = new Store(stateDir);
    try {
      const src = new GastownSource(s, town);
      await src.poll();
      expect(src.stats).toMatchObject({ lines: 6, malformed: 2 });
      const snd = senderFor(s);
      expect(await snd.drain(Date.now() + 10_000)).toBe(true);
      expect(snd.state.quarantined).toBe(0);
    } finally {
      s.close();
    }
    // session_start 1, two notes 2, sling 2 (bead, agent), spawn 1, session_start 1
    expect((await serverTotals(server.url, server.adminToken, server.townId)).events).toBe(before + 7);
  });

  it('lines of one whole second keep the file order: the n-th is dated n ms into it, across a restart too', async () => {
    const town = join(dir, 'town-order');
    mkdirSync(town);
    const file = join(town, '.events.jsonl');
    const stateDir = join(dir, 'state-order');
    const t0 = Math.floor((Date.now() - 200_000) / 1000) * 1000;
    // Nux puts gt-77 down and Toast takes it up, in one second: the bead ends in progress, not open.
    writeFileSync(
      file,
      `${ev(t0, 'unhook', 'gastown/polecats/Nux', { bead: 'gt-77' })}\n${ev(t0, 'hook', 'gastown/polecats/Toast', { bead: 'gt-77' })}\n`,
    );
    const run = async () => {
      const s = new Store(stateDir);
      try {
        await new GastownSource(s, town).poll();
        const bodies = s.sql.prepare("SELECT body FROM outbox WHERE kind = 'event' ORDER BY seq").pluck().all() as string[];
        expect(await senderFor(s).drain(Date.now() + 10_000)).toBe(true);
        return bodies.map((b) => JSON.parse(b) as TownEvent).map((e) => [e.type, e.at - t0]);
      } finally {
        s.close();
      }
    };
    expect(await run()).toEqual([
      ['bead', 0],
      ['agent', 0],
      ['bead', 1],
      ['agent', 1],
    ]);
    appendFileSync(file, `${ev(t0, 'done', 'gastown/polecats/Toast', { bead: 'gt-77', branch: 'polecat/Toast/gt-77' })}\n`);
    expect(await run()).toEqual([
      ['bead', 2],
      ['agent', 2],
    ]);
    const res = await fetch(`${server.url}/api/towns/${server.townId}/beads/gt-77`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    expect(((await res.json()) as { bead: { status: string } }).bead.status).toBe('in_review');
  });

  it('gives identical lines one event each, numbered by occurrence, with the same ids after a restart', async () => {
    const town = join(dir, 'town-dup');
    mkdirSync(town);
    const file = join(town, '.events.jsonl');
    const stateDir = join(dir, 'state-dup');
    const t0 = Date.now() - 300_000;
    // Gas Town's timestamps are whole seconds and these payloads are deterministic: the same bytes twice.
    const nudge = ev(t0, 'nudge', 'gastown/witness', { rig: 'gastown', target: 'Toast', reason: 'idle' });
    const other = ev(t0, 'nudge', 'gastown/witness', { rig: 'gastown', target: 'Nux', reason: 'idle' });
    writeFileSync(file, `${nudge}\n${other}\n${nudge}\n`);
    const events = async () => (await serverTotals(server.url, server.adminToken, server.townId)).events ?? 0;
    const before = await events();

    /** One reporter lifetime: a fresh Store, source and sender on the same state directory. */
    const run = async (fn?: (s: Store) => void) => {
      const s = new Store(stateDir);
      try {
        fn?.(s);
        await new GastownSource(s, town).poll();
        const ids = s.sql.prepare("SELECT id FROM outbox WHERE kind = 'event' ORDER BY seq").pluck().all() as string[];
        const snd = senderFor(s);
        expect(await snd.drain(Date.now() + 10_000)).toBe(true);
        return { ids, duplicates: snd.state.server.duplicates };
      } finally {
        s.close();
      }
    };

    const first = await run();
    expect(first.ids).toHaveLength(3);
    expect(new Set(first.ids).size).toBe(3);
    expect(first.ids[2]).toBe(`${first.ids[0]?.replace(/:note$/, '')}:2:note`);
    expect(await events()).toBe(before + 3);

    // After a restart, one more identical line is the third occurrence: a new event.
    appendFileSync(file, `${nudge}\n`);
    const second = await run();
    expect(second.ids).toEqual([`${first.ids[0]?.replace(/:note$/, '')}:3:note`]);
    expect(await events()).toBe(before + 4);

    // The file rewritten with the same lines (a new inode): read from the start, the same four ids, all duplicates.
    writeFileSync(`${file}.tmp`, `${nudge}\n${other}\n${nudge}\n${nudge}\n`);
    renameSync(`${file}.tmp`, file);
    const third = await run();
    expect(third.ids).toEqual([...first.ids, ...second.ids]);
    expect(third.duplicates).toBe(4);
    expect(await events()).toBe(before + 4);

    // A state from before the counts were kept (cursor mid-file, no counts): they are rebuilt from the file.
    appendFileSync(file, `${nudge}\n`);
    const fourth = await run((s) => s.sql.prepare('DELETE FROM gastown_lines').run());
    expect(fourth.ids).toEqual([`${first.ids[0]?.replace(/:note$/, '')}:4:note`]);
    expect(await events()).toBe(before + 5);
  });

  it('an event log written faster than it is read ends its poll at the size the poll began with; the next poll reads on', async () => {
    const town = join(dir, 'fast-town');
    mkdirSync(town, { recursive: true });
    const file = join(town, '.events.jsonl');
    let n = 0;
    // ~1.5 MiB a time: more than a batch's 1 MiB.
    const more = () =>
      appendFileSync(
        file,
        `${Array.from({ length: 5_000 }, () => ev(Date.now() - 600_000, 'nudge', 'gastown/witness', { rig: 'gastown', target: `T${n++}`, reason: 'x'.repeat(150) })).join('\n')}\n`,
      );
    more();
    const s = new Store(join(dir, 'fast-state'));
    try {
      const src = new GastownSource(s, town);
      // Grows by more than a batch reads after each batch, six times: a reader that chases it reads them all in one poll.
      growOnEachCursor(s, more, 6);
      await src.poll();
      expect(src.stats.lines).toBe(5_000);
      for (let k = 0; k < 10 && src.stats.lines < n; k++) await src.poll();
      expect(src.stats.lines).toBe(35_000);
    } finally {
      s.close();
    }
  });

  it('an event log truncated in place and written past the cursor before the next poll is read from its start', async () => {
    const town = join(dir, 'rewritten-town');
    mkdirSync(town, { recursive: true });
    const file = join(town, '.events.jsonl');
    const lines = (from: number, n: number) =>
      Array.from(
        { length: n },
        (_, i) => `${ev(at, 'nudge', 'gastown/witness', { rig: 'gastown', target: `T${from + i}` })}\n`,
      ).join('');
    writeFileSync(file, lines(0, 3));
    const s = new Store(join(dir, 'rewritten-state'));
    try {
      const src = new GastownSource(s, town);
      await src.poll();
      expect(src.stats.lines).toBe(3);
      // The same inode, larger than the cursor: it looks grown, but the line before the cursor is another.
      truncateSync(file, 0);
      appendFileSync(file, lines(100, 5));
      await src.poll();
      expect(src.stats.lines).toBe(8);
    } finally {
      s.close();
    }
  });

  it('watched (a running reporter), a poll reads at most its pass bytes, says it is behind, and the next polls read on', async () => {
    const town = join(dir, 'cut-town');
    mkdirSync(town, { recursive: true });
    const file = join(town, '.events.jsonl');
    // ~3.4 MiB: four 1 MiB batches.
    const lines = Array.from({ length: 12_000 }, (_, i) =>
      ev(at, 'nudge', 'gastown/witness', { rig: 'gastown', target: `T${i}`, reason: 'x'.repeat(200) }),
    );
    writeFileSync(file, `${lines.join('\n')}\n`);
    const s = new Store(join(dir, 'cut-state'));
    try {
      const src = new GastownSource(s, town);
      src.watch(1024 * 1024);
      await src.poll();
      expect(src.stats.lines).toBeGreaterThan(0);
      expect(src.stats.lines).toBeLessThan(6_000);
      expect(src.behind).toBe(true);
      for (let k = 0; k < 10 && src.behind; k++) await src.poll();
      expect(src.behind).toBe(false);
      expect(src.stats.lines).toBe(12_000);
    } finally {
      s.close();
    }
  });
});
