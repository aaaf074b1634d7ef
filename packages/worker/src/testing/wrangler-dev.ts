import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ensureWebBuilt } from '../../../web/e2e/build.js';

/** The repository root, where `npm run dev:worker` runs. */
const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const WRANGLER = 'node_modules/wrangler/bin/wrangler.js';
const CONFIG = 'packages/worker/wrangler.jsonc';

export interface WorkerProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything wrangler and workerd printed. */
  output: string[];
  /** SIGKILLs wrangler and the workerd it started (one process group), and waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM to the group, then the exit. */
  stop(): Promise<void>;
}

const running = new Set<WorkerProcess>();

/** Stops every Worker this test file started (call it in afterAll). */
export async function stopWorkers(): Promise<void> {
  await Promise.all([...running].map((w) => w.kill()));
}

/** A port nobody listens on now (the OS picks it), for wrangler, which takes no port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * `wrangler dev --local` (the `npm run dev:worker` command, without the UI build) on a free loopback port
 * with state in `persistTo`; resolves once `/healthz` answers. No network: metrics, the banner's update
 * check, error reports and miniflare's Request.cf download are off.
 */
export async function startWorker(opts: WorkerOptions): Promise<WorkerProcess> {
  // wrangler refuses a config whose assets directory is missing: a fresh clone's `npm run bench` stopped here.
  ensureWebBuilt();
  // A port found free may be taken before workerd binds it (other test files start servers too, and a
  // workerd just SIGKILLed may still hold its sockets): try again on fresh ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('Address already in use')) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

interface WorkerOptions {
  persistTo: string;
  adminToken: string;
  secret: string;
  tickMs?: number;
  port?: number;
  /** Alert webhooks may go to loopback (a receiver in the test). */
  allowPrivateWebhooks?: boolean;
  /** Each town's storage quota in MiB (the `MAX_TOWN_MB` var; wrangler.jsonc's when absent). */
  maxTownMb?: number;
  /** Each user's changes at once (the `CHANGE_BUDGET_BURST` var; wrangler.jsonc's when absent). */
  changeBudgetBurst?: number;
  /** Changes each user earns back a minute, 0 for no budget (the `CHANGE_BUDGET_PER_MIN` var; wrangler.jsonc's when absent). */
  changeBudgetPerMin?: number;
}

async function startOnce(opts: WorkerOptions): Promise<WorkerProcess> {
  const port = opts.port ?? (await freePort());
  const inspector = await freePort();
  const args = [WRANGLER, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)];
  args.push('--config', CONFIG, '--persist-to', opts.persistTo, '--show-interactive-dev-session=false');
  args.push('--var', `TICK_MS:${opts.tickMs ?? 200}`);
  if (opts.allowPrivateWebhooks) args.push('--var', 'GASGAUGE_ALLOW_PRIVATE_WEBHOOKS:true');
  if (opts.maxTownMb !== undefined) args.push('--var', `MAX_TOWN_MB:${opts.maxTownMb}`);
  if (opts.changeBudgetBurst !== undefined) args.push('--var', `CHANGE_BUDGET_BURST:${opts.changeBudgetBurst}`);
  if (opts.changeBudgetPerMin !== undefined) args.push('--var', `CHANGE_BUDGET_PER_MIN:${opts.changeBudgetPerMin}`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      // miniflare would fetch Request.cf data from workers.cloudflare.com on start: use its built-in fallback.
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
      GASGAUGE_ADMIN_TOKEN: opts.adminToken,
      GASGAUGE_SECRET: opts.secret,
    },
  });
  const output: string[] = [];
  child.stdout?.on('data', (b: Buffer) => output.push(b.toString()));
  child.stderr?.on('data', (b: Buffer) => output.push(b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    running.delete(w);
    try {
      process.kill(-(child.pid as number), sig);
    } catch {
      // already gone
    }
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  const w: WorkerProcess = {
    url,
    port,
    pid: child.pid as number,
    output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  };
  running.add(w);
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (gone) throw new Error(`wrangler dev exited:\n${output.join('')}`);
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return w;
    if (Date.now() > deadline) {
      await w.kill();
      throw new Error(`wrangler dev did not answer /healthz in 90 s:\n${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
