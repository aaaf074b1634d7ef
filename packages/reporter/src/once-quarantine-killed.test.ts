import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { startGasgauge, waitFor } from './testing/processes.js';
import { testBed } from './testing/test-bed.js';

/**
 * A record the server refuses in a held `--once` (Store.hold) is quarantined: its dead-letter line is written just
 * before the commit that deletes it. Written at once, a run killed before that commit left the line, the next run read
 * the record again, the server refused it again, and the file had it twice (and the run said it quarantined it again).
 */
const { dir, children, startServer } = testBed('gg-once-quarantine-killed-');

it('a record quarantined by a --once killed before its commit has one dead-letter line after the next run', async () => {
  const server = await startServer();
  const at = (s: number) => new Date(Date.now() - 3_600_000 + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const lines: string[] = [];
  for (let i = 0; i < 50; i++)
    lines.push(
      JSON.stringify({
        ts: at(i),
        source: 'gt',
        type: 'sling',
        actor: 'mayor',
        payload: { bead: `gt-${i}`, target: 'gastown/polecats/P1' },
        visibility: 'feed',
      }),
    );
  mkdirSync(join(dir, 'town'), { recursive: true });
  writeFileSync(join(dir, 'town', '.events.jsonl'), `${lines.join('\n')}\n`);
  let slow = true;
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      if (req.url?.endsWith('/events')) {
        const events = JSON.parse(body).events as unknown[];
        const i = events.findIndex((e) => JSON.stringify(e).includes('"gt-7"'));
        if (i >= 0) {
          res.writeHead(400, { 'content-type': 'application/json' });
          return void res.end(
            JSON.stringify({ error: { code: 'bad_request', message: `events[${i}]: refused`, path: `events[${i}]` } }),
          );
        }
        if (slow) await new Promise((r) => setTimeout(r, 60_000));
      }
      const up = await fetch(server.url + (req.url ?? ''), {
        method: req.method ?? 'GET',
        headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
        ...(req.method === 'POST' ? { body } : {}),
      });
      res.writeHead(up.status, { 'content-type': 'application/json' }).end(Buffer.from(await up.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const state = join(dir, 'state');
  const once = () => {
    const c = startGasgauge([
      'report',
      '--once',
      '--json',
      '--server',
      url,
      '--town',
      server.townId,
      '--token-file',
      server.tokenFile,
      '--state',
      state,
      '--gastown',
      join(dir, 'town'),
      '--no-claude',
      '--no-codex',
      '--no-gemini',
      '--no-opencode',
    ]);
    children.push(c);
    return c;
  };
  const dead = join(state, 'dead-letter.jsonl');
  // The refusal is answered at once, the other batches after a minute: the held transaction cannot commit before the kill.
  const first = once();
  await waitFor(
    () => first.output(),
    () => (first.output().includes('quarantined event record') ? true : undefined),
    30_000,
  );
  await new Promise((r) => setTimeout(r, 500));
  await first.kill('SIGKILL');
  slow = false;
  expect(existsSync(dead) ? readFileSync(dead, 'utf8') : '').toBe('');
  const second = once();
  // 3: delivered, with records quarantined.
  expect(await second.exited, second.output()).toBe(3);
  const { quarantined } = JSON.parse(second.output().trim().split('\n').pop() as string);
  proxy.closeAllConnections();
  proxy.close();
  // gt-7's sling is an event and a bead's: each refused, each once.
  expect(quarantined).toBeGreaterThan(0);
  expect(readFileSync(dead, 'utf8').trim().split('\n')).toHaveLength(quarantined);
}, 120_000);
