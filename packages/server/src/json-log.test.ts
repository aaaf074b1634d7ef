import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, gasgauge, ROOT } from './testing/cli.js';
import { tempDir } from './testing/temp.js';

const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** `gasgauge serve --log-format json` on a free port, and its exit code once it closed. */
function serveJson(data: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, [BIN, 'serve', '--data', data, '--port', '0', '--log-format', 'json', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.push(child);
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, exited };
}

describe('serve --log-format json', () => {
  it('writes only JSON lines, the start among them, and no secret: no admin token, no login link', async () => {
    const data = tempDir('gg-json-log-');
    const { child, exited } = serveJson(data, ['--demo']);
    const out: string[] = [];
    const err: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => out.push(l));
    const demoLine = new Promise<void>((resolve) =>
      createInterface({ input: child.stderr }).on('line', (l) => {
        err.push(l);
        if (l.includes('"townId"')) resolve();
      }),
    );
    await Promise.race([demoLine, exited, new Promise((r) => setTimeout(r, 20_000))]);
    const parsed = err.map((l) => JSON.parse(l) as { kind: string; msg: string; url?: string; townId?: string });
    const start = parsed.find((p) => p.url !== undefined);
    expect(start?.msg).toMatch(/^Gas Gauge listening on /);
    expect((await fetch(`${start?.url}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // Every line on either stream is one JSON object, as a log shipper reads them.
    expect(out).toEqual([]);
    for (const line of err) expect(() => JSON.parse(line), line).not.toThrow();
    const log = err.join('\n');
    expect(log).toContain('created user \\"admin\\"');
    expect(log).toContain('login-link --user admin');
    expect(log).not.toMatch(/ggu_|ggl_|auth\/link/);
    // The way in the log names works: a one-time link for admin, from the CLI on the data dir.
    const demo = parsed.find((p) => p.townId !== undefined);
    expect(demo?.msg).toContain(`login-link --user admin --data ${data} --next /towns/${demo?.townId}`);
    const link = await gasgauge('login-link', '--user', 'admin', '--data', data, '--next', `/towns/${demo?.townId}`);
    expect(link.stdout).toMatch(/\/auth\/link\?code=ggl_/);
  });

  it('with --json as well, logs the start (no secret) while the object with the token goes to stdout', async () => {
    const data = tempDir('gg-json-log-both-');
    const { child, exited } = serveJson(data, ['--json']);
    const err: string[] = [];
    createInterface({ input: child.stderr }).on('line', (l) => err.push(l));
    const first = new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const printed = JSON.parse(await Promise.race([first, exited.then(() => '{}')])) as { url?: string; adminToken?: string };
    expect(printed.adminToken).toMatch(/^ggu_/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const parsed = err.map((l) => JSON.parse(l) as { msg: string; url?: string; dataDir?: string });
    const start = parsed.find((p) => p.url !== undefined);
    expect(start?.msg).toMatch(/^Gas Gauge listening on /);
    expect(start?.url).toBe(printed.url);
    expect(parsed.at(-1)?.msg).toBe('stopped');
    expect(err.join('\n')).not.toMatch(/ggu_|ggl_/);
  });

  it("says Node's own last words as JSON lines too: a warning, and a crash's stack (exit 1)", async () => {
    const dir = tempDir('gg-json-crash-');
    // Loaded before the CLI (NODE_OPTIONS --import): a warning, then an unhandled rejection, once the server
    // runs (it has written server.json).
    const preload = join(dir, 'crash.mjs');
    const serverFile = JSON.stringify(join(dir, 'data', 'server.json'));
    writeFileSync(
      preload,
      `import { existsSync } from 'node:fs';
const wait = setInterval(() => {
  if (!existsSync(${serverFile})) return;
  clearInterval(wait);
  process.emitWarning('a test warning');
  setTimeout(() => Promise.reject(new Error('boom')), 100);
}, 50);
`,
    );
    const { child, exited } = serveJson(join(dir, 'data'), [], { ...process.env, NODE_OPTIONS: `--import=${preload}` });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => lines.push(l));
    createInterface({ input: child.stderr }).on('line', (l) => lines.push(l));
    expect(await exited).toBe(1);
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toContainEqual('warning: Warning: a test warning');
    expect(msgs.at(-1)).toMatch(/^crashed: Error: boom\n {4}at /);
  });
});
