import { lookup } from 'node:dns/promises';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  type AccessEntry,
  type CredentialVouch,
  changeBudgetOf,
  createApp,
  DEFAULT_CHANGE_BUDGET_BURST,
  DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  DEFAULT_READ_BUDGET_BURST_MS,
  DEFAULT_READ_BUDGET_MS_PER_S,
  hashToken,
  LiveHub,
  LocalControlStore,
  LocalTowns,
  newId,
  ReadBuckets,
  secretVouch,
  USER_TOKEN_PREFIX,
  WebhookDelivery,
  type WebhookOptions,
} from '@gasgauge/api';
import {
  ACTIVE_TICK_MS,
  type Clock,
  Control,
  DEFAULT_MAX_TOWN_MB,
  DEFAULT_MAX_TOWNS_PER_OWNER,
  IDLE_TICK_MS,
  KNOWN_SCHEMA_VERSIONS,
  plural,
  upgradeLine,
} from '@gasgauge/core';
import { BoundedSet } from '@gasgauge/core/bounded-map';
import { getRequestListener, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { clientGone } from './client-gone.js';
import {
  CONNECTION_TIMEOUTS,
  capConnections,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
  logAcceptErrors,
  timeoutOptions,
} from './connections.js';
import { DataDir, refuseCutRestore, signingKeyId } from './data-dir.js';
import { lockDataDir, refuseRootInOthersDir } from './data-dir-lock.js';
import { afterTwoTurns } from './defer.js';
import { type Demo, startDemo } from './demo/run.js';
import { closeGracefully } from './drain.js';
import { fitConnections, fitOpenTowns, openFileLimit } from './fd-limit.js';
import { readNodeBody } from './node-body.js';
import { capPipelining } from './pipelining.js';
import { ReadTurns } from './read-turns.js';
import { STALE_TICK_INTERVALS, schedulerReadiness } from './readiness.js';
import { type CrashPoint, TickScheduler } from './scheduler.js';
import { MAX_TOO_NEW_TOLD, openNaming, openTownForRequest } from './schema-upgrade.js';
import { openSqlite, schemaVersion } from './sqlite.js';
import { serveWeb, WEB_DIST } from './static.js';
import { DEFAULT_MAX_OPEN_TOWNS, FileTownDirectory } from './town-directory.js';
import { closeIfBodyUnread } from './unread-body.js';
import { unreadableRequest } from './unreadable-request.js';
import { countUnsentAnswers, MAX_UNSENT_ANSWER_BYTES, UNSENT_ANSWER_GRACE_MS, UnsentAnswers } from './unsent-answers.js';
import { webhookFetch } from './webhook-fetch.js';

export interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  /** Active tick interval (default 5 s); tests and demos shorten it. */
  tickMs?: number;
  log?: (line: string) => void;
  /** The access log: one entry per request (off when absent). */
  accessLog?: (entry: AccessEntry) => void;
  /** The origin browsers use behind a reverse proxy (`--public-url`, see `publicOrigin`): links, Origin checks, Secure cookies. */
  publicUrl?: string;
  /** Wall clock by default; tests pass a fixed one. */
  clock?: Clock;
  /**
   * Mint the first (admin) user's API token when this start creates that user (default true), to be shown once.
   * False where it would land in a shipped log (`--log-format json`): `admin` is created without one, and
   * `gasgauge login-link --user admin` or `gasgauge user token admin` give access.
   */
  adminToken?: boolean;
  /** Run the tick scheduler (default true); tests that tick by hand turn it off. */
  autoTick?: boolean;
  /** Start the demo town and its simulated fleet (`gasgauge serve --demo`); never without it. */
  demo?: boolean;
  /** The built web UI to serve (default packages/web/dist). */
  webDist?: string;
  /** Alert webhooks: retries (tests shorten the backoff), and `allowPrivate` for receivers on this machine or network. */
  webhooks?: Omit<WebhookOptions, 'log'>;
  /** Test-only: each live stream's lifetime (default LIVE_STREAM_MAX_MS, 10 min). */
  liveStreamMaxMs?: number;
  /** Test-only: a town's queue waits this long before its first group commit, so requests pile up (the 429 and 503 shedding tests). */
  writeDelayMs?: number;
  /** Test-only fault injection, see CRASH_POINTS. */
  crashAt?: CrashPoint | undefined;
  /** Town databases kept open at most (default DEFAULT_MAX_OPEN_TOWNS); the least recently used idle one is closed. */
  maxOpenTowns?: number;
  /** Towns each user or organisation may own (default DEFAULT_MAX_TOWNS_PER_OWNER; admins' own towns are exempt). */
  maxTownsPerOwner?: number;
  /** Each town's storage quota in MiB (default DEFAULT_MAX_TOWN_MB); past it the town's ingest is refused with 507. */
  maxTownMb?: number;
  /** Client connections open at once (default DEFAULT_MAX_CONNECTIONS); fewer when the open-file limit does not fit them. */
  maxConnections?: number;
  /** Connections open at once from one client address (default DEFAULT_MAX_CONNECTIONS_PER_CLIENT); 0 for no cap. */
  maxConnectionsPerClient?: number;
  /**
   * Event-loop milliseconds each principal's reads may take per second, sustained (default
   * DEFAULT_READ_BUDGET_MS_PER_S); 0 turns the read budget off.
   */
  readBudgetMsPerS?: number;
  /** What a principal may spend at once, in milliseconds (default DEFAULT_READ_BUDGET_BURST_MS). */
  readBudgetBurstMs?: number;
  /**
   * Changes (tRPC mutations, sign-ins, login-link redemptions, sign-outs) each principal earns back a minute (default
   * DEFAULT_CHANGE_BUDGET_PER_MINUTE); 0 turns the change budget off.
   */
  changeBudgetPerMin?: number;
  /** Changes a principal may make at once (default DEFAULT_CHANGE_BUDGET_BURST). */
  changeBudgetBurst?: number;
  /** Bytes of answers held for clients that have not read them, in all (default MAX_UNSENT_ANSWER_BYTES; tests set less). */
  maxUnsentAnswerBytes?: number;
  /** Test-only: how long a connection holds unread answers before it may be closed for them (default UNSENT_ANSWER_GRACE_MS). */
  unsentAnswerGraceMs?: number;
  /** Test-only: count loopback clients (127.x.y.z) under the per-client cap, so tests can play several clients. */
  capLoopbackClients?: boolean;
}

export interface RunningServer {
  /** Where it listens. */
  url: string;
  /** Where browsers reach it: `publicUrl` when given, else `url`. Printed links use it. */
  publicUrl: string;
  port: number;
  /** Whether this start created the first user, `admin`. */
  adminCreated: boolean;
  /** Printed once, when this start created the first (admin) user (unless `adminToken: false`). */
  adminToken: string | undefined;
  towns: FileTownDirectory;
  /** Ticks one town and settles its outbox now, as the scheduler does (tests with autoTick off). */
  tickTown(townId: string): Promise<void>;
  /** Delivers the alerts whose webhook attempt is due now. */
  deliverAlerts(): Promise<number>;
  /** With `demo`: the demo town, and a one-time login URL that lands on it. */
  demo: (Omit<Demo, 'stop' | 'loginPath'> & { loginUrl: string }) | undefined;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  refuseRootInOthersDir(resolve(opts.dataDir)); // before DataDir makes towns/ in it
  refuseCutRestore(resolve(opts.dataDir)); // before a missing control.sqlite is made anew
  const dataDir = new DataDir(opts.dataDir);
  const lock = lockDataDir(dataDir.root);
  const undo: (() => unknown)[] = [];
  try {
    const server = await startOnLockedDir(opts, dataDir, undo);
    return {
      ...server,
      close: async () => {
        try {
          await server.close();
        } finally {
          lock.release();
        }
      },
    };
  } catch (err) {
    // A start that fails half way (no room for server.json, the demo) must not leave a server listening
    // and ticking after it said it failed, and without the lock.
    // Each part closed as well as it can: the error to report is the one that stopped the start.
    for (const step of undo.reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    lock.release();
    throw err;
  }
}

/** `undo` gets what closes each part as it is started, for a start that fails after it. */
async function startOnLockedDir(opts: ServeOptions, dataDir: DataDir, undo: (() => unknown)[]): Promise<RunningServer> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const clock = opts.clock ?? (() => Date.now());
  const controlSql = openSqlite(dataDir.controlFile);
  undo.push(() => controlSql.close());
  // An older server from before serve.lock, still running on the data dir, does not hold the lock: this start
  // migrated the control database under it (and then found the port taken), and it ran on with a schema it
  // does not know. The CLI's commands refuse this; so does serve, before anything is migrated.
  const version = schemaVersion(controlSql);
  if (version > 0 && version < KNOWN_SCHEMA_VERSIONS.control && dataDir.serverRunning() === true) {
    throw new Error(
      `${dataDir.controlFile} has schema version ${version}, older than this Gas Gauge's (${KNOWN_SCHEMA_VERSIONS.control}), and a server is running on ${dataDir.root}: an older version. Stop it, then start this one again, which upgrades the data dir`,
    );
  }
  const control = openNaming(
    dataDir.controlFile,
    () => new Control(controlSql, clock, { maxTownsPerOwner: opts.maxTownsPerOwner ?? DEFAULT_MAX_TOWNS_PER_OWNER }),
  );
  const upgraded = upgradeLine(dataDir.controlFile, control.schema);
  if (upgraded) log(upgraded);
  const controlStore = new LocalControlStore(control, clock);
  const requestedOpen = opts.maxOpenTowns ?? DEFAULT_MAX_OPEN_TOWNS;
  const limit = openFileLimit();
  const maxOpen = fitOpenTowns(requestedOpen, limit);
  if (maxOpen < requestedOpen) {
    log(
      `keeping at most ${plural(maxOpen, 'town')} open, not ${requestedOpen}: the open-file limit is ${limit} (raise it with ulimit -n)`,
    );
  }
  const requestedConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxConnections = fitConnections(requestedConnections, limit, maxOpen);
  if (maxConnections < requestedConnections) {
    log(
      `accepting at most ${plural(maxConnections, 'connection')}, not ${requestedConnections}: the open-file limit is ${limit}, less ${plural(maxOpen, 'open town')} (raise it with ulimit -n)`,
    );
  }
  const maxBytes = (opts.maxTownMb ?? DEFAULT_MAX_TOWN_MB) * 1024 * 1024;
  const towns = new FileTownDirectory(dataDir, clock, { maxOpen, log, maxBytes });
  undo.push(() => towns.close());
  // Towns a newer Gas Gauge wrote whose file the log has named (each once).
  const tooNew = new BoundedSet<string>(MAX_TOO_NEW_TOLD);
  // Group commit waits two event-loop turns to gather more concurrent requests into one transaction.
  const townHandles = new LocalTowns(
    (id) => openTownForRequest(() => towns.get(id), log, tooNew),
    opts.writeDelayMs === undefined ? afterTwoTurns : (fn) => setTimeout(fn, opts.writeDelayMs),
    // The rest of a queue past one group is written as soon as other requests have had their turn (writeDelayMs
    // holds the first write only, so that requests pile up).
    afterTwoTurns,
  );
  const live = new LiveHub(opts.liveStreamMaxMs === undefined ? {} : { maxStreamMs: opts.liveStreamMaxMs });
  const activeMs = opts.tickMs ?? ACTIVE_TICK_MS;
  const idleMs = Math.max(activeMs, IDLE_TICK_MS);
  // Private targets refused again where the connection is made (against DNS rebinding), unless allowed.
  const webhooks = new WebhookDelivery(
    control,
    clock,
    { ...opts.webhooks, resolve: resolveHost, log },
    opts.webhooks?.allowPrivate ? undefined : webhookFetch(),
  );
  const scheduler = new TickScheduler({
    control,
    store: controlStore,
    files: towns,
    towns: townHandles,
    clock,
    live,
    webhooks,
    intervals: { activeMs, idleMs },
    log,
    crashAt: opts.crashAt,
  });
  const readMsPerS = opts.readBudgetMsPerS ?? DEFAULT_READ_BUDGET_MS_PER_S;
  const readBudget =
    readMsPerS > 0
      ? new ReadBuckets({
          msPerSecond: readMsPerS,
          burstMs: opts.readBudgetBurstMs ?? DEFAULT_READ_BUDGET_BURST_MS,
          turns: new ReadTurns(),
        })
      : undefined;
  // Every change is a write to the one control database, on the one loop: one member looping changes must not hold
  // the others' (the Worker's reason is stronger: its control object is the whole deployment's). Same numbers there.
  const changeBudget = changeBudgetOf(
    opts.changeBudgetBurst ?? DEFAULT_CHANGE_BUDGET_BURST,
    opts.changeBudgetPerMin ?? DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  );
  // Read once: the key tokens are checked with, and the one server.json names for `gasgauge token mint`.
  const secret = dataDir.secret();
  // Every secret the server mints carries a tag of this key (api ports/credential-vouch.ts). Only a Worker isolate
  // lets a vouched credential skip a bound; here tags keep the secrets one shape with the Worker's.
  const vouch = secretVouch(secret);
  const app = createApp({
    control: controlStore,
    towns: townHandles,
    secret,
    vouch,
    clock,
    live,
    readBody: readNodeBody,
    gunzip: (bytes, maxBytes) => gunzipSync(bytes, { maxOutputLength: maxBytes }),
    clientGone,
    onIngest: (townId) => scheduler.markActive(townId),
    tickHealth: async (townId) => scheduler.healthOf(townId),
    onBudget: (townId) => scheduler.markActive(townId),
    allowPrivateWebhooks: opts.webhooks?.allowPrivate === true,
    log,
    readiness: schedulerReadiness(scheduler, clock, STALE_TICK_INTERVALS * idleMs),
    // Ingest is never charged: it has its own load shedding, and refusing it would lose usage.
    ...(readBudget ? { readBudget } : {}),
    ...(changeBudget ? { changeBudget } : {}),
    ...(opts.accessLog ? { accessLog: opts.accessLog } : {}),
    ...(opts.publicUrl ? { publicOrigin: opts.publicUrl } : {}),
  });
  serveWeb(app, opts.webDist ?? WEB_DIST);

  const unsentAnswers = new UnsentAnswers(
    opts.maxUnsentAnswerBytes ?? MAX_UNSENT_ANSWER_BYTES,
    log,
    opts.unsentAnswerGraceMs ?? UNSENT_ANSWER_GRACE_MS,
  );
  await assertPortFree(opts.host, opts.port);
  const listener = getRequestListener(
    capPipelining(countUnsentAnswers(closeIfBodyUnread<HttpBindings | Http2Bindings>(app.fetch), unsentAnswers)),
    { hostname: opts.host, errorHandler: (err) => unreadableRequest(err, (e) => log(`internal error: ${String(e)}`)) },
  );
  const server = createHttpServer(timeoutOptions(CONNECTION_TIMEOUTS), listener);
  server.listen(opts.port, opts.host);
  undo.push(() => closeGracefully(server));
  capConnections(
    server,
    {
      maxConnections,
      maxPerClient: opts.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
      capLoopback: opts.capLoopbackClients === true,
    },
    log,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  logAcceptErrors(server, log);
  if (opts.autoTick !== false) scheduler.start();
  undo.push(() => {
    scheduler.stop();
    live.close();
  });
  const port = (server.address() as AddressInfo).port;
  const url = listenUrl(opts.host, port);
  const publicUrl = opts.publicUrl ?? url;
  const serverFile = dataDir.writeServerUrl(url, publicUrl, {
    keyId: signingKeyId(secret),
    keyFrom: process.env.GASGAUGE_SECRET === undefined ? 'file' : 'env',
  });
  undo.push(() => serverFile.remove());
  // Only now, when the start can no longer fail on the port or the data dir: a first start that failed
  // after making `admin` left its one-time token unshown, and no later start made (or showed) another.
  const { adminCreated, adminToken } = await ensureAdmin(control, opts.adminToken !== false, vouch);
  const demo = opts.demo ? await startDemo({ control, url, secret, clock, log }) : undefined;
  return {
    url,
    publicUrl,
    port,
    adminCreated,
    adminToken,
    towns,
    tickTown: (townId) => scheduler.tickTown(townId),
    deliverAlerts: () => webhooks.deliverDue(),
    demo: demo && { townId: demo.townId, ready: demo.ready, loginUrl: publicUrl + demo.loginPath },
    close: async () => {
      demo?.stop();
      serverFile.remove();
      scheduler.stop();
      live.close();
      // A webhook POST under way is recorded (due retries wait for the next start) while requests drain.
      await Promise.all([webhooks.settled(), closeGracefully(server)]);
      towns.close();
      controlSql.close();
    },
  };
}

/** Where this machine reaches the server: a wildcard host (all interfaces) is reached on loopback. */
export function listenUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * A start on a data dir with no server admin creates user `admin`; its token (if minted) is shown once, never stored
 * in clear. No admin, not no user: a `gasgauge user add alice` run before the first start made one user, and no
 * start ever made the admin who can create towns and grant credits over the API.
 */
async function ensureAdmin(
  control: Control,
  mint: boolean,
  vouch: CredentialVouch,
): Promise<{ adminCreated: boolean; adminToken: string | undefined }> {
  // A user named admin who is no admin was made so on purpose: left as it is.
  if (control.adminCount() > 0 || control.userByName('admin')) return { adminCreated: false, adminToken: undefined };
  const user = control.createUser(newId('user'), 'admin', true);
  if (!mint) return { adminCreated: true, adminToken: undefined };
  const token = await vouch.mint(USER_TOKEN_PREFIX);
  control.addToken(user.id, await hashToken(token), 'first start');
  return { adminCreated: true, adminToken: token };
}

/**
 * A clear error before anything listens, naming the option to change, instead of node:http's own (an EADDRINUSE
 * stack; `getaddrinfo ENOTFOUND 999.1.1.1`, which named neither --host nor what was wrong). Probed for --port 0
 * too: a wrong --host fails the same whatever the port.
 */
async function assertPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => reject(new Error(listenProblem(err, host, port))));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export function listenProblem(err: NodeJS.ErrnoException, host: string, port: number): string {
  switch (err.code) {
    case 'EADDRINUSE':
      // Through `npm start` a bare --port is no help: npm's own options come first, the server's after `--`.
      return process.env.npm_lifecycle_event === 'start'
        ? `port ${port} on ${host} is already in use (try another: npm start -- --port ${port === 0 ? 8788 : port + 1})`
        : `port ${port} on ${host} is already in use (try --port)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host}: no such address or host name (${err.code}); give an address of this machine, such as 127.0.0.1`;
    case 'EADDRNOTAVAIL':
      return `--host ${host} is not an address of this machine (EADDRNOTAVAIL); give one it has, such as 127.0.0.1, or 0.0.0.0 for every interface`;
    case 'EACCES':
    case 'EPERM':
      // `listen EACCES: permission denied 127.0.0.1:80` named no option: a port below 1024 needs root (or
      // CAP_NET_BIND_SERVICE), which the server should not run as; a reverse proxy listens there instead. A higher
      // port refused is a policy of the machine's (SELinux, net.ipv4.ip_unprivileged_port_start raised).
      if (port > 0 && port < 1024)
        return `port ${port} on ${host}: permission denied (${err.code}; ports below 1024 need root or CAP_NET_BIND_SERVICE); pass --port with a higher one, such as 8787, and put a reverse proxy on port ${port}`;
      return `port ${port} on ${host}: permission denied (${err.code}): this machine's policy (SELinux, AppArmor, net.ipv4.ip_unprivileged_port_start) does not let this user listen there; pass --port with another, or allow this one`;
    default:
      return err.message;
  }
}

/** Every address a webhook's host name resolves to, so delivery can refuse private ones. */
async function resolveHost(hostname: string): Promise<string[]> {
  return (await lookup(hostname, { all: true })).map((a) => a.address);
}
