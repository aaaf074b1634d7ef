import { spawn } from 'node:child_process';
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, gasgauge, ROOT, type Run } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { type HttpResult, request } from './testing/server.js';
import { connectFrom, HEALTHY, sleep } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

const USAGES = {
  serve: 'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N]',
  'user add': 'gasgauge user add NAME [--admin]',
  'user token': 'gasgauge user token NAME',
  'town create': 'gasgauge town create NAME --owner USER',
  'token mint': 'gasgauge token mint --town ID [--agent ID] [--ttl 8h]',
  'key create': 'gasgauge key create --town ID --name NAME [--agent ID | --scrape]',
  'key list': 'gasgauge key list --town ID',
  'key revoke': 'gasgauge key revoke --town ID --name NAME',
  backup: 'gasgauge backup --out DIR [--data DIR]',
  restore: 'gasgauge restore --from DIR [--data DIR] [--force]',
};

describe('gasgauge --help', () => {
  it.each(Object.entries(USAGES))('%s --help exits 0 and prints its usage', async (command, usage) => {
    const r = await gasgauge(...command.split(' '), '--help');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.startsWith(usage)).toBe(true);
    expect(r.stdout).toContain('--data DIR');
  });

  it('the main help (--help, help, no arguments) lists every command', async () => {
    const runs = await Promise.all([['--help'], ['help'], []].map((args) => gasgauge(...args)));
    for (const r of runs) {
      expect(r.code).toBe(0);
      for (const usage of Object.values(USAGES)) expect(r.stdout).toContain(usage);
    }
  });

  it('help COMMAND prints that command’s help (or its group’s), as COMMAND --help does', async () => {
    for (const command of ['town create', 'town', 'serve']) {
      const [help, flag] = await Promise.all([
        gasgauge('help', ...command.split(' ')),
        gasgauge(...command.split(' '), '--help'),
      ]);
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout).toBe(flag.stdout);
      expect(help.stdout).not.toContain('gasgauge key');
    }
  });
});

describe('gasgauge errors', () => {
  let data: string;
  beforeAll(() => {
    data = tempDir('gg-cli-');
  });

  it('an unknown command exits 2 and names it; a group word alone or with an unknown command lists its own', async () => {
    const cases: [string[], string][] = [
      [['frobnicate'], 'gasgauge: unknown command "frobnicate"'],
      [['user', 'frob'], 'gasgauge user: has no command "frob"'],
      [['town'], 'gasgauge town: needs a command'],
    ];
    const runs = await Promise.all(cases.map(([args]) => gasgauge(...args)));
    for (const [i, [, said]] of cases.entries()) {
      const r = runs[i] as Run;
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(said);
      expect(r.stdout).toBe('');
    }
    expect(runs[1]?.stderr).toContain('gasgauge user token NAME');
    expect(runs[2]?.stderr).not.toContain('gasgauge serve');
    const help = await gasgauge('town', '--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toContain('  gasgauge town create NAME');
    expect(help.stdout).toContain('  gasgauge town list [--owner USER | --org ORG]');
    expect(help.stdout).not.toContain('gasgauge key');
  });

  it('an unknown option or a missing argument exits 2 with the usage', async () => {
    const r = await gasgauge('user', 'add', 'x', '--bogus', '--data', data);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: gasgauge user add NAME');
    expect(r.stderr).toContain('gasgauge user add: unknown option --bogus\n');
    const typo = await gasgauge('town', 'create', 'X', '--ownr', 'admin', '--data', data);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('gasgauge town create: unknown option --ownr (did you mean --owner?)');
    const missing = await gasgauge('user', 'add', '--data', data);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('gasgauge user add: missing NAME');
  });

  it('names the arguments a command takes, and says to quote a name with a space', async () => {
    const [unquoted, pair, none] = await Promise.all([
      gasgauge('town', 'create', 'Gas', 'Town', '--owner', 'admin', '--data', data),
      gasgauge('org', 'add-member', 'acme', '--role', 'member', '--data', data),
      gasgauge('key', 'list', 'extra', '--town', 'town_x', '--data', data),
    ]);
    expect(unquoted.code).toBe(2);
    expect(unquoted.stderr).toContain(
      'gasgauge town create: takes NAME, got 2 arguments: "Gas" "Town" (quote a value with spaces: "Gas Town")',
    );
    expect(pair.code).toBe(2);
    expect(pair.stderr).toContain('gasgauge org add-member: missing USER');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('gasgauge key list: takes no arguments, got "extra"');
  });

  it('user add twice with the same name exits 1 with a clear message, and --json prints {"error":{...}}', async () => {
    const first = await gasgauge('user', 'add', 'carol', '--data', data, '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      user: { name: 'carol', isAdmin: false },
      token: expect.stringMatching(/^ggu_/),
    });

    const again = await gasgauge('user', 'add', 'carol', '--data', data);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('');
    expect(again.stderr.trim()).toBe('gasgauge user add: user "carol" already exists');

    const json = await gasgauge('user', 'add', 'carol', '--data', data, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'conflict', message: 'user "carol" already exists', path: 'name' },
    });
  });

  it('token mint --ttl 9h exits 2 naming the bound', async () => {
    const user = await gasgauge('user', 'add', 'dave', '--data', data);
    expect(user.code, user.stderr).toBe(0);
    const town = await gasgauge('town', 'create', 'Dave Town', '--owner', 'dave', '--data', data, '--json');
    expect(town.code, town.stderr).toBe(0);
    const townId = JSON.parse(town.stdout).town.id as string;
    // The owner as `town list --json` names it.
    expect(JSON.parse(town.stdout).town.owner).toEqual({ kind: 'user', name: 'dave' });

    const r = await gasgauge('token', 'mint', '--town', townId, '--ttl', '9h', '--data', data);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--ttl must be between 1s and 8h, not "9h"');
    const json = await gasgauge('token', 'mint', '--town', townId, '--ttl', '9h', '--data', data, '--json');
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'usage', message: '--ttl must be between 1s and 8h, not "9h"' } });
    // The bound itself is fine.
    const ok = await gasgauge('token', 'mint', '--town', townId, '--ttl', '8h', '--data', data, '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ token: expect.any(String), expiresAt: expect.any(Number) });
  });

  it('a command on a data dir no server has used exits 1 naming the dir and --data, and creates nothing', async () => {
    const missing = join(data, 'typo');
    const cases = [
      ['login-link', '--user', 'admin'],
      ['token', 'mint', '--town', 'town_x'],
      ['credits', 'show', '--user', 'admin'],
      ['key', 'list', '--town', 'town_x'],
      ['town', 'create', 'X', '--owner', 'admin'],
    ];
    const runs = await Promise.all(cases.map((args) => gasgauge(...args, '--data', missing)));
    for (const [i, args] of cases.entries()) {
      const r = runs[i] as Run;
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim()).toBe(
        `gasgauge ${args[0] === 'login-link' ? 'login-link' : `${args[0]} ${args[1]}`}: no Gas Gauge data in ${missing} (control.sqlite is missing); pass --data DIR, the directory "gasgauge serve" runs on`,
      );
    }
    expect(existsSync(missing)).toBe(false);
    const json = await gasgauge('login-link', '--user', 'admin', '--data', missing, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'not_found', path: 'data' } });
  });

  it('serve, user add and the other commands on a --data that cannot be a directory exit 1 naming it and --data, not a bare errno', async () => {
    const file = join(data, 'a-file');
    writeFileSync(file, '');
    const runs = await Promise.all([
      gasgauge('serve', '--data', join(file, 'data'), '--port', '0'),
      gasgauge('user', 'add', 'x', '--data', file),
      // The commands that need a started data dir said "control.sqlite is missing" of a file.
      gasgauge('town', 'list', '--data', file),
      gasgauge('backup', '--out', join(data, 'no-backup'), '--data', file),
    ]);
    for (const [r, dir] of [
      [runs[0], join(file, 'data')],
      [runs[1], file],
      [runs[2], file],
      [runs[3], file],
    ] as const) {
      expect(r?.code).toBe(1);
      expect(r?.stderr).toContain(
        `cannot use ${dir} as the data dir (a part of that path is a file, not a directory); pass --data DIR, a directory this user can write`,
      );
    }
  });

  it('town create X --owner nobody exits 1', async () => {
    const r = await gasgauge('town', 'create', 'X', '--owner', 'nobody', '--data', data);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('gasgauge town create: no user named "nobody"');
    const json = await gasgauge('town', 'create', 'X', '--owner', 'nobody', '--data', data, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'not_found', message: 'no user named "nobody"', path: 'owner' } });
  });

  // Found as a new self-hoster: a town id from another server's list (or a --data left out) said only
  // `no town with id "…"`, naming neither the data dir asked nor how to see its towns.
  it('token mint and key commands with a --town this data dir lacks, or key revoke a name it lacks, exit 1 saying how to list them', async () => {
    const dir = realpathSync(tempDir('gg-cli-town-'));
    expect((await gasgauge('user', 'add', 'bob', '--data', dir)).code).toBe(0);
    for (const args of [
      ['token', 'mint', '--town', 'town_nope'],
      ['key', 'create', '--town', 'town_nope', '--name', 'otel'],
      ['key', 'list', '--town', 'town_nope'],
      ['key', 'revoke', '--town', 'town_nope', '--name', 'otel'],
    ]) {
      const r = await gasgauge(...args, '--data', dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(
        `gasgauge ${args[0]} ${args[1]}: no town with id "town_nope" in ${dir}: gasgauge town list --data ${dir} lists its towns`,
      );
    }
    // A key name the town has not (mistyped, or revoked already): how to see the names it has.
    const town = await gasgauge('town', 'create', 'Keys', '--owner', 'bob', '--data', dir, '--json');
    const townId = JSON.parse(town.stdout).town.id as string;
    expect((await gasgauge('key', 'create', '--town', townId, '--name', 'otel', '--data', dir)).code).toBe(0);
    expect((await gasgauge('key', 'revoke', '--town', townId, '--name', 'otel', '--data', dir)).code).toBe(0);
    const again = await gasgauge('key', 'revoke', '--town', townId, '--name', 'otel', '--data', dir);
    expect(again.code, again.stderr).toBe(1);
    expect(again.stderr.trim()).toBe(
      `gasgauge key revoke: this town has no key named "otel" (revoked keys are no longer listed): gasgauge key list --town ${townId} --data ${dir} lists its keys`,
    );
  });

  it('town create stops at --max-towns-per-owner (exit 1 naming the limit); an out-of-range limit exits 2', async () => {
    expect((await gasgauge('user', 'add', 'erin', '--data', data)).code).toBe(0);
    const make = (...more: string[]) =>
      gasgauge('town', 'create', 'Erin Town', '--owner', 'erin', '--max-towns-per-owner', '2', '--data', data, ...more);
    for (let i = 0; i < 2; i++) expect((await make()).code).toBe(0);
    const r = await make();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the limit is 2 per owner (max-towns-per-owner)');
    const json = await make('--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'forbidden', path: 'owner' } });
    const zero = await gasgauge('town', 'create', 'X', '--owner', 'erin', '--max-towns-per-owner', '0', '--data', data);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--max-towns-per-owner must be from 1 to 1000000, not "0"');
  });
});

describe('gasgauge: a value the core refuses', () => {
  it('is named by the option or argument it was given as, with what was given, and exits 2', async () => {
    const data = tempDir('gg-cli-fields-');
    const run = (...args: string[]) => gasgauge(...args, '--data', data);
    expect((await run('user', 'add', 'fay')).code).toBe(0);
    const townId = JSON.parse((await run('town', 'create', 'Fay Town', '--owner', 'fay', '--json')).stdout).town.id as string;
    const long = 'n'.repeat(501);
    const [webhook, name, keyName, note, json] = await Promise.all([
      run('credits', 'alerts', '--user', 'fay', '--webhook', 'hooks.example.com/x'),
      run('user', 'add', 'fay/2'),
      run('key', 'create', '--town', townId, '--name', 'a/b'),
      run('credits', 'grant', '--user', 'fay', '--usd', '1', '--note', long),
      run('credits', 'alerts', '--user', 'fay', '--webhook', 'hooks.example.com/x', '--json'),
    ]);
    expect([webhook.code, webhook.stderr]).toEqual([
      2,
      'gasgauge credits alerts: --webhook "hooks.example.com/x": the webhook is not a URL\n',
    ]);
    const aName =
      'a name is 1 to 64 letters, digits, dots, dashes, underscores or single spaces, starting with a letter or digit and not ending with a space';
    expect(name.stderr).toBe(`gasgauge user add: NAME "fay/2": ${aName}\n`);
    expect(keyName.stderr).toBe(`gasgauge key create: --name "a/b": ${aName}\n`);
    expect([name.code, keyName.code, note.code, json.code]).toEqual([2, 2, 2, 2]);
    expect(note.stderr).toBe(`gasgauge credits grant: --note "${'n'.repeat(60)}…": a note is at most 500 characters\n`);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        code: 'bad_request',
        message: '--webhook "hooks.example.com/x": the webhook is not a URL',
        path: 'webhookUrl',
        option: '--webhook',
      },
    });
  }, 60_000);

  it('an empty or overlong --agent is refused (exit 2), not a token every record is refused with or a key for every agent', async () => {
    const data = tempDir('gg-cli-agent-');
    const run = (...args: string[]) => gasgauge(...args, '--data', data);
    expect((await run('user', 'add', 'gus')).code).toBe(0);
    const townId = JSON.parse((await run('town', 'create', 'Gus Town', '--owner', 'gus', '--json')).stdout).town.id as string;
    const [mint, key, long] = await Promise.all([
      run('token', 'mint', '--town', townId, '--agent', ''),
      run('key', 'create', '--town', townId, '--name', 'otel', '--agent', ''),
      run('token', 'mint', '--town', townId, '--agent', 'a'.repeat(257)),
    ]);
    for (const r of [mint, key]) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('--agent is empty: give an agent id, or leave --agent out for every agent');
    }
    expect(long.code).toBe(2);
    expect(long.stderr).toContain('--agent is at most 256 characters, not 257');
    expect((await run('key', 'list', '--town', townId)).stdout).toBe('No keys.\n');
  }, 60_000);
});

describe('gasgauge serve connection caps', () => {
  afterAll(() => killServers());

  it('--max-connections N keeps N connections and closes one more at once', async () => {
    const server = await serveProcess(tempDir('gg-cli-conn-'), {}, ['--max-connections', '3']);
    const held = await Promise.all([1, 2, 3].map((i) => connectFrom(server.url, `127.0.0.${i}`)));
    for (const c of held) c.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await sleep(200);
    const over = await connectFrom(server.url, '127.0.0.4');
    await Promise.race([over.closed, sleep(2000)]);
    expect(over.isClosed()).toBe(true);
    for (const c of held) c.write('\r\n');
    await Promise.all(held.map((c) => c.waitFor(HEALTHY)));
    for (const c of held) c.socket.destroy();
    expect(server.stderr).toContainEqual(expect.stringContaining('1 over --max-connections 3'));
    await server.stop();
  });

  it('an out-of-range cap exits 2 naming its range', async () => {
    const data = tempDir('gg-cli-conn-');
    const total = await gasgauge('serve', '--max-connections', '0', '--data', data);
    expect(total.code).toBe(2);
    expect(total.stderr).toContain('--max-connections must be from 1 to 1000000, not "0"');
    const perClient = await gasgauge('serve', '--max-connections-per-client', '1000001', '--data', data);
    expect(perClient.code).toBe(2);
    expect(perClient.stderr).toContain('--max-connections-per-client must be from 0 to 1000000, not "1000001"');
    // Not Node's "options.port should be >= 0 and < 65536" (exit 1), after the data dir was made.
    const port = await gasgauge('serve', '--port', '99999', '--data', join(data, 'new'));
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be from 0 to 65535, not "99999"');
    expect(existsSync(join(data, 'new'))).toBe(false);
  });
});

describe('gasgauge serve --max-town-mb', () => {
  afterAll(() => killServers());

  it("refuses a town's ingest with 507 once it holds the quota, and takes the other towns'", async () => {
    const server = await serveProcess(tempDir('gg-cli-quota-'), {}, ['--max-town-mb', '1']);
    const ok = (r: HttpResult) => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.result.data;
    };
    const town = async (name: string) => {
      const id = ok(await request(server.url, 'POST', '/trpc/towns.create', server.adminToken, { name })).id as string;
      const token = ok(await request(server.url, 'POST', '/trpc/towns.mintIngestToken', server.adminToken, { townId: id })).token;
      return (records: unknown[]) => request(server.url, 'POST', `/api/towns/${id}/usage`, token as string, { records });
    };
    const record = (id: string, agentId: string) => ({
      id,
      agentId,
      model: 'm',
      inputTokens: 1,
      outputTokens: 0,
      costMicrodollars: 0,
      at: Date.now() - 1000,
    });
    const greedy = await town('greedy');
    const other = await town('other');
    expect((await greedy(Array.from({ length: 5000 }, (_, i) => record(`r${i}`, `made-up-${i}`)))).status).toBe(200);
    const refused = await greedy([record('late', 'a')]);
    expect(refused.status).toBe(507);
    expect(refused.body.error.message).toContain('may hold 1 MiB');
    expect((await other([record('fine', 'a')])).status).toBe(200);
    await server.stop();
  });

  it('an out-of-range quota exits 2 naming its range', async () => {
    const data = tempDir('gg-cli-quota-');
    for (const [mb, says] of [
      ['0', 'must be from 1 to 1048576, not "0"'],
      ['1048577', 'must be from 1 to 1048576, not "1048577"'],
      ['1.5', 'must be a whole number, not "1.5"'],
    ]) {
      const r = await gasgauge('serve', '--max-town-mb', mb as string, '--data', data);
      expect(r.code, mb).toBe(2);
      expect(r.stderr).toContain(`--max-town-mb ${says}`);
    }
  });
});

describe('gasgauge serve, first start', () => {
  it('says where to sign in with the admin token it prints, and how to get a link, naming --data absolute', async () => {
    const data = tempDir('gg-cli-first-');
    // Given relative (to the clone's root, where it runs): said absolute, as a service's log is read from elsewhere.
    const child = spawn(process.execPath, [BIN, 'serve', '--data', relative(ROOT, data), '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const lines: string[] = [];
    const closed = new Promise((resolve) => {
      const input = createInterface({ input: child.stdout });
      input.on('line', (line) => {
        lines.push(line);
        // serve prints its start lines in one write, so the token's line means they are all in.
        if (line.startsWith('  ggu_')) child.kill('SIGTERM');
      });
      input.once('close', resolve);
    });
    await Promise.all([exited, closed]);
    const url = /open (http:\/\/\S+) /.exec(lines[0] ?? '')?.[1];
    expect(url).toBeDefined();
    expect(lines[0]).toContain(`(data: ${data})`);
    expect(lines).toContain(
      // From a clone no gasgauge is on the PATH: the command printed is the one that runs here.
      `Sign in at ${url}/login with it, or open a one-time link from: npx gasgauge login-link --user admin --data ${data}`,
    );
  });
});

describe('gasgauge serve --demo', () => {
  it('names its --data dir in the login-link command it suggests, so the command works as printed', async () => {
    const data = join(tempDir('gg-cli-demo-'), 'my data');
    const child = spawn(process.execPath, [BIN, 'serve', '--demo', '--data', data, '--port', '0'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const hint = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.includes('later:')) resolve(line);
        });
        void exited.then(() => reject(new Error('serve exited before printing the login link')));
      });
      expect(hint).toContain(`(later: npx gasgauge login-link --user admin --data '${data}'):`);
      const link = await gasgauge('login-link', '--user', 'admin', '--data', data);
      expect(link.code, link.stderr).toBe(0);
      expect(link.stdout).toMatch(/\/auth\/link\?code=ggl_/);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
