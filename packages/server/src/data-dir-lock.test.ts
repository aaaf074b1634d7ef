import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { backupDataDir } from './backup.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { listenProblem, startServer } from './serve.js';
import { BIN, gasgauge, gasgaugeEnv, ROOT } from './testing/cli.js';
import { killServers, serveProcess } from './testing/serve-process.js';
import { request } from './testing/server.js';
import { tempDir } from './testing/temp.js';

afterAll(killServers);

const serverJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'server.json'), 'utf8')) as { url: string; pid: number };

describe('one server per data dir', () => {
  it('a second gasgauge serve on a data dir in use exits 1 and leaves the first, its server.json and restore’s guard alone', async () => {
    const data = tempDir('gg-lock-');
    const first = await serveProcess(data);
    const backup = join(tempDir('gg-lock-bak-'), 'b');
    backupDataDir(data, backup);

    const second = await gasgauge('serve', '--data', data, '--port', '0', '--host', '127.0.0.1');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/a gasgauge server \(or restore\) is running on .*; stop it first/);
    // The second one used to start, overwrite server.json and delete it on exit: restore --force then
    // took the dir for a stopped one and deleted the databases under the running server.
    expect(serverJson(data)).toMatchObject({ url: first.url, pid: first.pid });
    const restore = await gasgauge('restore', '--from', backup, '--data', data, '--force');
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/is running on/);
    expect((await request(first.url, 'GET', '/api/towns', first.adminToken as string)).status).toBe(200);

    // The lock dies with its process, however it ends: a server killed outright leaves none behind.
    first.child.kill('SIGKILL');
    await first.exited;
    const next = await serveProcess(data);
    expect((await request(next.url, 'GET', '/api/towns', first.adminToken as string)).status).toBe(200);
    await next.stop();
  });

  it('a server in the same process is refused too, and close() frees the dir for the next one', async () => {
    const data = tempDir('gg-lock-');
    const opts = { dataDir: data, port: 0, host: '127.0.0.1', autoTick: false, log: () => {} };
    const first = await startServer(opts);
    await expect(startServer(opts)).rejects.toBeInstanceOf(DataDirInUseError);
    await first.close();
    const again = await startServer(opts);
    await again.close();
  });
});

describe('a start that fails half way', () => {
  it('closes what it started, so nothing listens or ticks on after the error, and frees the data dir', async () => {
    const data = tempDir('gg-lock-');
    const probe = createServer();
    const port = await new Promise<number>((resolve) =>
      probe.listen(0, '127.0.0.1', () => resolve((probe.address() as AddressInfo).port)),
    );
    await new Promise((resolve) => probe.close(resolve));
    // server.json cannot be written (as on a full disk): the last step of the start, after it listens.
    mkdirSync(join(data, 'server.json'));
    const opts = { dataDir: data, port, host: '127.0.0.1', log: () => {} };
    await expect(startServer(opts)).rejects.toThrow(/EISDIR/);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    rmdirSync(join(data, 'server.json'));
    const again = await startServer(opts);
    // The first start's user `admin` and its one-time token are made only by a start that succeeds.
    expect(again.adminToken).toMatch(/^ggu_/);
    await again.close();
  });

  it('a first start on a port in use makes no admin, so the next start still prints its token', async () => {
    const data = tempDir('gg-port-');
    const taken = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as AddressInfo).port)),
    );
    try {
      const busy = await gasgauge('serve', '--data', data, '--port', String(port), '--host', '127.0.0.1');
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain(`port ${port} on 127.0.0.1 is already in use (try --port)`);
      // With --log-format json, why it did not start is a JSON log line too: a collector parses every line.
      const json = await gasgauge('serve', '--data', data, '--port', String(port), '--host', '127.0.0.1', '--log-format', 'json');
      expect(json.code).toBe(1);
      expect(
        json.stderr
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l)),
      ).toEqual([
        {
          t: expect.any(Number),
          kind: 'message',
          msg: `gasgauge serve: port ${port} on 127.0.0.1 is already in use (try --port)`,
        },
      ]);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    // Through `npm start` (README: options after `--`), the hint is the npm command that works.
    const viaNpm = createServer();
    const npmPort = await new Promise<number>((resolve) =>
      viaNpm.listen(0, '127.0.0.1', () => resolve((viaNpm.address() as AddressInfo).port)),
    );
    try {
      const r = await gasgaugeEnv({ npm_lifecycle_event: 'start' }, 'serve', '--data', data, '--port', String(npmPort));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `gasgauge serve: port ${npmPort} on 127.0.0.1 is already in use (try another: npm start -- --port ${npmPort + 1})`,
      );
    } finally {
      await new Promise((resolve) => viaNpm.close(resolve));
    }
    // It used to make `admin` before it listened: the token was never shown, and no later start showed one.
    const next = await startServer({ dataDir: data, port: 0, host: '127.0.0.1', log: () => {} });
    try {
      expect(next.adminToken).toMatch(/^ggu_/);
    } finally {
      await next.close();
    }
  });
});

describe('serve --host that cannot be listened on', () => {
  // Found as a new user: `--host ""` (a `--host "$HOST"` with HOST unset) listened on every interface and printed
  // `open http://:PORT`; a wrong address was `getaddrinfo ENOTFOUND …`, naming no option, with --port 0.
  it('an empty --host is refused (exit 2) before anything listens or is made', async () => {
    for (const host of ['', ' ']) {
      const data = tempDir('gg-host-');
      const r = await gasgauge('serve', '--data', join(data, 'new'), '--port', '0', '--host', host);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('gasgauge serve: --host is empty: give the address to listen on (default 127.0.0.1;');
      expect(existsSync(join(data, 'new'))).toBe(false);
    }
  });

  it('an address this machine does not have, or a name that does not resolve, is named with --host (exit 1), with --port 0 too', async () => {
    for (const [host, says] of [
      ['999.1.1.1', '--host 999.1.1.1: no such address or host name (ENOTFOUND)'],
      ['no-such-host.invalid', '--host no-such-host.invalid: no such address or host name (ENOTFOUND)'],
      // TEST-NET-2 (RFC 5737): documentation only, never an address of this machine.
      ['198.51.100.7', '--host 198.51.100.7 is not an address of this machine (EADDRNOTAVAIL)'],
    ] as const) {
      const data = tempDir('gg-host-');
      const r = await gasgauge('serve', '--data', data, '--port', '0', '--host', host);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`gasgauge serve: ${says}`);
      // A start that did not listen made no admin: the next one still shows its token.
      const next = await startServer({ dataDir: data, port: 0, host: '127.0.0.1', log: () => {} });
      try {
        expect(next.adminToken).toMatch(/^ggu_/);
      } finally {
        await next.close();
      }
    }
  });
});

describe('root on another user’s data dir', () => {
  // Only root can be refused this (and only root can give a directory away to test it).
  it.runIf(process.geteuid?.() === 0)(
    'serve and restore refuse before they make a file or directory only root could open',
    async () => {
      const source = tempDir('gg-owner-src-');
      const up = await startServer({ dataDir: source, port: 0, host: '127.0.0.1', adminToken: false, log: () => {} });
      await up.close();
      const backup = join(tempDir('gg-owner-bak-'), 'b');
      backupDataDir(source, backup);

      const data = tempDir('gg-owner-');
      chownSync(data, 65534, 65534); // nobody's, as StateDirectory= makes /var/lib/gasgauge the service user's
      const restore = await gasgauge('restore', '--from', backup, '--data', data, '--force');
      expect(restore.code).toBe(1);
      expect(restore.stderr).toMatch(
        new RegExp(`${data} belongs to (user \\S+ \\()?uid 65534\\)?, and this runs as root: the files it made would be root's`),
      );
      const serve = await gasgauge('serve', '--data', data, '--port', '0', '--host', '127.0.0.1');
      expect(serve.code).toBe(1);
      expect(serve.stderr).toMatch(/belongs to .*uid 65534.*Run it as that user/);
      expect(readdirSync(data)).toEqual([]);
      expect(existsSync(join(data, 'serve.lock'))).toBe(false);
    },
    60_000,
  );

  it.runIf(process.geteuid?.() === 0)(
    'user add, which may start a data dir, refuses as root in a new one of another user, before it makes a file',
    async () => {
      const data = tempDir('gg-owner-add-');
      chownSync(data, 65534, 65534); // StateDirectory= made it, the service has not started yet
      const add = await gasgauge('user', 'add', 'alice', '--data', data);
      expect(add.code).toBe(1);
      expect(add.stderr).toMatch(/belongs to .*uid 65534.*, and this runs as root: .*Run it as that user/);
      expect(readdirSync(data)).toEqual([]);
      // Its own new data dir, and a data dir that is already started, are root's to use as before.
      expect((await gasgauge('user', 'add', 'alice', '--data', join(tempDir('gg-owner-own-'), 'data'))).code).toBe(0);
    },
    60_000,
  );

  it.runIf(process.geteuid?.() === 0)(
    'a command run as the data dir’s user on a file root made says whose it is and what to run, not a bare EACCES',
    async () => {
      // In /tmp itself: the test run's temp dir is root's alone, and nobody could not reach into it.
      const data = mkdtempSync('/tmp/gg-owner-');
      const tmp = mkdtempSync('/tmp/gg-owner-tmp-'); // tsx's cache, somewhere nobody may write
      onTestFinished(() => {
        for (const d of [data, tmp]) rmSync(d, { recursive: true, force: true });
      });
      expect((await gasgauge('user', 'add', 'bob', '--data', data)).code).toBe(0); // root's control.sqlite
      chownSync(data, 65534, 65534);
      chmodSync(tmp, 0o777);
      const run = await new Promise<{ code: number | null; stderr: string }>((done) => {
        execFile(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, 'town', 'list', '--data', data],
          { cwd: ROOT, env: { ...process.env, TMPDIR: tmp } },
          (err, _out, stderr) => done({ code: err ? (err.code as number) : 0, stderr }),
        );
      });
      expect(run.code).toBe(1);
      const user = run.stderr.match(/not to (\S+), who runs this/)?.[1];
      expect(run.stderr).toContain(
        `EACCES: permission denied, open '${join(data, 'control.sqlite')}': it belongs to user root, not to ${user}, who runs this: when ${user} runs the server, give it back its data dir (chown -R ${user} ${data}) and run every command as ${user}`,
      );
    },
    60_000,
  );

  // Found as a new self-hoster: `gasgauge town list --data /var/lib/gasgauge` run as oneself, not as the service's
  // user, said "no Gas Gauge data in /var/lib/gasgauge (control.sqlite is missing)": a data dir that seemed lost.
  it.runIf(process.geteuid?.() === 0)(
    'a command run by another user on a data dir it may not read says so and whose it is, not that its data is missing',
    async () => {
      const data = mkdtempSync('/tmp/gg-other-');
      const tmp = mkdtempSync('/tmp/gg-other-tmp-'); // tsx's cache, somewhere nobody may write
      onTestFinished(() => {
        for (const d of [data, tmp]) rmSync(d, { recursive: true, force: true });
      });
      chmodSync(tmp, 0o777);
      expect((await gasgauge('user', 'add', 'bob', '--data', data)).code).toBe(0); // root's, mode 700
      for (const [name, args] of [
        ['town list', ['town', 'list']],
        ['token mint', ['token', 'mint', '--town', 'town_x']],
        ['backup', ['backup', '--out', join(tmp, 'b')]],
      ] as const) {
        const run = await asNobody(tmp, [...args, '--data', data]);
        expect(run.code, run.stderr).toBe(1);
        expect(run.stderr).toContain(
          `gasgauge ${name}: cannot read the data dir ${data}: permission denied (it belongs to user root, mode 700); run the command as that user (sudo -u root gasgauge …)`,
        );
      }
      // serve and restore, which may start a data dir, said "pass --data DIR, a directory this user can write" (serve:
      // a second, empty data dir) and "chmod -R u+w" (restore: no help to a user who does not own it).
      const owner = '(it belongs to user root, mode 700); run the command as that user (sudo -u root gasgauge …)';
      const serve = await asNobody(tmp, ['serve', '--port', '0', '--host', '127.0.0.1', '--data', data]);
      expect(serve.code, serve.stderr).toBe(1);
      expect(serve.stderr).toContain(`gasgauge serve: cannot use the data dir ${data}: permission denied ${owner}`);
      const backup = join(tmp, 'bk');
      expect((await gasgauge('backup', '--data', data, '--out', backup)).code).toBe(0);
      chownSync(backup, 65534, 65534);
      for (const f of readdirSync(backup, { recursive: true }) as string[]) chownSync(join(backup, f), 65534, 65534);
      const restore = await asNobody(tmp, ['restore', '--from', backup, '--data', data, '--force']);
      expect(restore.code, restore.stderr).toBe(1);
      expect(restore.stderr).toContain(`: the data dir ${data} ${owner}`);
      // Its own data dir, with its mode taken away: what to chmod.
      chownSync(data, 65534, 65534);
      chmodSync(data, 0o000);
      const own = await asNobody(tmp, ['town', 'list', '--data', data]);
      expect(own.code, own.stderr).toBe(1);
      expect(own.stderr).toContain(
        `gasgauge town list: cannot read the data dir ${data}: permission denied (mode 0); make it this user's to read and write again (chmod 700 ${data})`,
      );
    },
    60_000,
  );

  it.runIf(process.geteuid?.() === 0 && Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) > 80)(
    'serve --port 80 as a user who may not listen there names the port and what to pass (exit 1), not a bare listen EACCES',
    async () => {
      const home = mkdtempSync('/tmp/gg-port80-');
      onTestFinished(() => rmSync(home, { recursive: true, force: true }));
      chmodSync(home, 0o777);
      const run = await asNobody(home, ['serve', '--data', join(home, 'data'), '--port', '80', '--host', '127.0.0.1']);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(
        'gasgauge serve: port 80 on 127.0.0.1: permission denied (EACCES; ports below 1024 need root or CAP_NET_BIND_SERVICE); pass --port with a higher one, such as 8787, and put a reverse proxy on port 80',
      );
    },
    60_000,
  );

  it('a higher port refused (a policy of the machine, which cannot be set up here) is not told to need root', () => {
    // The kernel's error as Node gives it; refusing a port over 1024 takes SELinux or a raised sysctl, shared here.
    const refused = (port: number) =>
      listenProblem(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }), '127.0.0.1', port);
    expect(refused(443)).toContain('ports below 1024 need root');
    expect(refused(8787)).not.toContain('below 1024');
    expect(refused(8787)).toBe(
      "port 8787 on 127.0.0.1: permission denied (EACCES): this machine's policy (SELinux, AppArmor, net.ipv4.ip_unprivileged_port_start) does not let this user listen there; pass --port with another, or allow this one",
    );
  });

  it.runIf(process.geteuid?.() === 0)(
    'a data dir its own user may not write says so, naming it, not SQLite\'s bare "attempt to write a readonly database"',
    async () => {
      const data = mkdtempSync('/tmp/gg-ro-');
      const tmp = mkdtempSync('/tmp/gg-ro-tmp-'); // tsx's cache, somewhere nobody may write
      onTestFinished(() => {
        for (const d of [data, tmp]) rmSync(d, { recursive: true, force: true });
      });
      chmodSync(tmp, 0o777);
      expect((await gasgauge('user', 'add', 'bob', '--data', data)).code).toBe(0);
      for (const f of ['', 'control.sqlite', 'secret.key', 'towns']) chownSync(join(data, f), 65534, 65534);
      chmodSync(data, 0o500); // nobody's, but not writable: SQLite cannot make control.sqlite-wal beside it
      const fix = `make the data dir, its towns/ directory and their files writable by this user (chmod -R u+w ${data}), or run as the user they belong to`;
      const list = await asNobody(tmp, ['town', 'list', '--data', data]);
      expect(list.code, list.stderr).toBe(1);
      expect(list.stderr).toContain(
        `gasgauge town list: cannot write in the data dir ${data} (SQLITE_READONLY_DIRECTORY: SQLite writes each database and its -wal and -shm files beside it): ${fix}`,
      );
      // serve first makes its lock file there: a bare EACCES on it named the file but not what to do.
      const serve = await asNobody(tmp, ['serve', '--port', '0', '--host', '127.0.0.1', '--data', data]);
      expect(serve.code, serve.stderr).toBe(1);
      expect(serve.stderr).toContain(`gasgauge serve: EACCES: permission denied, open '${join(data, 'serve.lock')}': ${fix}`);
    },
    60_000,
  );
});

/** The CLI as nobody (uid 65534), with TMPDIR (tsx's cache) in `tmp`, which nobody may write. */
async function asNobody(tmp: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  return await new Promise((done) => {
    execFile(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args],
      { cwd: ROOT, env: { ...process.env, TMPDIR: tmp }, timeout: 60_000 },
      (err, _out, stderr) => done({ code: err ? (err.code as number) : 0, stderr }),
    );
  });
}
