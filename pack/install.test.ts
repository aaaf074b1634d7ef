import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Child,
  type GasgaugeCommand,
  gasgauge,
  startGasgauge,
  waitFor,
} from '../packages/reporter/src/testing/processes.js';
import { removeDir, serverTotals, tempDir } from '../packages/reporter/src/testing/server.js';
import { generateTree, writeTree } from '../packages/reporter/src/testing/transcripts.js';
import { pack } from './build.js';
import { ROOT } from './bundle.js';
import { type Installed, installPackage, nativeMode } from './install.js';

/** Never a dependency of the installed package, directly or through another package's (peer) dependencies. */
const DEV_TOOLS = ['typescript', 'tsx', 'vitest', 'vite', 'esbuild', 'rolldown', 'playwright-core', '@biomejs/biome'];

/**
 * The tarball `npm run pack` makes, installed globally with npm into an empty prefix outside the workspace, and run from
 * there: the server, the admin commands, ingest and a read, the web UI and the reporter. See install.ts for how
 * better-sqlite3's addon gets in (GASGAUGE_PACK_NATIVE=build compiles it as a user's install would).
 */
describe(`the installed package (better-sqlite3 addon: ${nativeMode()})`, () => {
  let dir: string;
  let installed: Installed;
  let cli: GasgaugeCommand;
  const children: Child[] = [];

  beforeAll(async () => {
    dir = tempDir('gg-pack-');
    const prefix = join(dir, 'prefix');
    mkdirSync(prefix);
    installed = installPackage(await pack(dir), prefix);
    cli = [installed.bin];
  }, 600_000);

  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill('SIGKILL')));
    removeDir(dir);
  });

  it('depends only on what it runs with, and nothing in it points into the workspace', () => {
    const manifest = JSON.parse(readFileSync(join(installed.packageDir, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'gasgauge', license: 'MIT', engines: { node: '>=20.19' } });
    expect(Object.keys(manifest.dependencies).sort()).toEqual([
      '@hono/node-server',
      'better-sqlite3',
      'hono',
      'jose',
      'protobufjs',
      'zod',
    ]);
    const modules = readdirSync(join(dir, 'prefix/lib/node_modules'), { recursive: true, encoding: 'utf8' });
    const isTool = (path: string) => DEV_TOOLS.some((tool) => path === tool || path.endsWith(`/node_modules/${tool}`));
    expect(modules.filter(isTool)).toEqual([]);
    const lib = join(installed.packageDir, 'lib');
    const js = readdirSync(lib).filter((f) => f.endsWith('.js'));
    expect(js.filter((f) => readFileSync(join(lib, f), 'utf8').includes(ROOT))).toEqual([]);
    expect(readdirSync(lib).filter((f) => f.endsWith('.js.map')).length).toBeGreaterThan(0);
  });

  it('prints its version and help without TypeScript', () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'packages/server/package.json'), 'utf8')).version;
    expect(execFileSync(installed.bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(version);
    expect(execFileSync(installed.bin, ['--help'], { encoding: 'utf8' })).toContain('gasgauge serve');
  });

  it('serves the API and the web UI, and its CLI and reporter work beside it', async () => {
    const data = join(dir, 'data');
    const server = startGasgauge(['serve', '--data', data, '--port', '0', '--json'], cli);
    children.push(server);
    const { url } = await waitFor('the installed server to start', () => {
      const line = server.output().split('\n')[0];
      return line?.startsWith('{') ? (JSON.parse(line) as { url: string }) : undefined;
    });
    // The native addon the server loaded is the installed copy, not the workspace's.
    const maps = readFileSync(`/proc/${server.proc.pid}/maps`, 'utf8');
    expect(maps).toContain(join(installed.packageDir, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'));

    const { token: bobToken } = await gasgauge<{ token: string }>(['user', 'add', 'bob', '--data', data], cli);
    const { town } = await gasgauge<{ town: { id: string } }>(
      ['town', 'create', 'Packed', '--owner', 'bob', '--data', data],
      cli,
    );
    const { token: ingest } = await gasgauge<{ token: string }>(['token', 'mint', '--town', town.id, '--data', data], cli);
    // Every other admin command, each through the modules it loads for itself.
    const run = <T>(...args: string[]) => gasgauge<T>([...args, '--data', data], cli);
    await run('user', 'token', 'bob');
    await run('org', 'create', 'acme', '--owner', 'bob');
    await run('org', 'add-member', 'acme', 'admin', '--role', 'member');
    expect(await run('credits', 'grant', '--user', 'bob', '--usd', '5')).toMatchObject({ balanceMicrodollars: 5_000_000 });
    await run('credits', 'alerts', '--user', 'bob', '--low-usd', '1');
    expect(await run('credits', 'show', '--user', 'bob')).toMatchObject({ gasTank: { balanceMicrodollars: 5_000_000 } });
    expect((await run<{ url: string }>('login-link', '--user', 'bob')).url).toMatch(`${url}/auth/link?code=`);

    const record = { id: 'msg_packed', agentId: 'polecat-1', model: 'claude-sonnet-4-5', inputTokens: 1200, outputTokens: 240 };
    const posted = await fetch(`${url}/api/towns/${town.id}/usage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body: JSON.stringify({ records: [{ ...record, costMicrodollars: 7860, at: Date.now() }] }),
    });
    expect(posted.status, await posted.text()).toBe(200);
    expect(await serverTotals(url, bobToken, town.id)).toMatchObject({ input_tokens: 1200, output_tokens: 240 });

    // The built UI is inside the package: the page, and the script it names.
    const page = await fetch(`${url}/towns/${town.id}/observability`);
    const html = await page.text();
    expect(page.status).toBe(200);
    const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
    expect(script, html).toBeDefined();
    expect((await fetch(url + script)).status).toBe(200);

    // The reporter (its price list and its parse worker travel inside the bundle) delivers a Claude transcript
    // tree large enough (> 4 MiB) to be read in the parse worker.
    const claude = join(dir, 'claude');
    const tree = generateTree({ seed: 3, agents: 2, sessionsPerAgent: 2, responsesPerSession: 60, padding: 6000 });
    writeTree(claude, tree.files);
    writeFileSync(join(dir, 'token'), ingest);
    const args = ['report', '--server', url, '--town', town.id, '--token-file', join(dir, 'token'), '--claude-dir', claude];
    const notThisMachinesHomes = ['--no-codex', '--no-gemini', '--no-opencode'];
    const report = startGasgauge([...args, ...notThisMachinesHomes, '--state', join(dir, 'state'), '--once', '--json'], cli);
    children.push(report);
    expect(await report.exited, report.output()).toBe(0);
    expect(report.output()).not.toContain('parse worker failed');
    const totals = await serverTotals(url, bobToken, town.id);
    expect(totals.input_tokens).toBe(1200 + tree.expected.input);
    expect(totals.cost_microdollars).toBeGreaterThan(7860);

    expect(await server.kill('SIGTERM')).toBe(0);
  }, 120_000);
});
