import { resolve } from 'node:path';
import {
  DEFAULT_CHANGE_BUDGET_BURST,
  DEFAULT_CHANGE_BUDGET_PER_MINUTE,
  DEFAULT_READ_BUDGET_BURST_MS,
  DEFAULT_READ_BUDGET_MS_PER_S,
  MAX_CHANGE_BUDGET_BURST,
  MAX_CHANGE_BUDGET_PER_MINUTE,
} from '@gasgauge/api';
import { DEFAULT_MAX_TOWN_MB, MAX_MAX_TOWN_MB, MIN_MAX_TOWN_MB } from '@gasgauge/core';
import { onOutputClosed } from '@gasgauge/reporter/closed-pipe';
import { DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, SITE_FACTOR } from '../connections.js';
import { createLogger, LOG_FORMATS, type LogFormat, type Logger } from '../logger.js';
import { CRASH_POINTS, type CrashPoint } from '../scheduler.js';
import { DEFAULT_MAX_OPEN_TOWNS } from '../town-directory.js';
import {
  type Command,
  integerIn,
  MAX_TOWNS_PER_OWNER_HELP,
  MAX_TOWNS_PER_OWNER_OPTION,
  tickMs,
  townQuota,
  UsageError,
  type Values,
} from './command.js';
import { onNpmParentGone } from './npm-parent.js';

export const serve: Command = {
  usage:
    'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N] [--demo] [--public-url URL] [--log-format pretty|json] [--access-log on|off] [--allow-private-webhooks] [--max-open-towns N] [--max-towns-per-owner N] [--max-town-mb N] [--max-connections N] [--max-connections-per-client N] [--read-budget-ms-per-s N] [--read-budget-burst-ms N] [--change-budget N] [--change-budget-per-min N]',
  summary: 'run the server (API, web UI and tick) on an embedded SQLite data dir; --demo adds a demo town with a simulated fleet',
  help: `  --port N                  port to listen on, 0 to 65535 (default 8787; 0 picks a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --tick-ms N               tick interval of an active town, 50 to 60000 (default 5000)
  --demo                    add a demo town with a simulated fleet, and print a one-time login link
  --public-url URL          the https://host (or http) browsers use behind a reverse proxy: printed
                            links use it, its Origin is accepted, and with https cookies are Secure
  --log-format F            pretty (default) or json: one object per line on stderr, time "t" in epoch ms;
                            with json the start, warnings and a crash are log lines too, and no secret
                            is logged: the first start's admin gets no API token (login-link or
                            user token admin give one) and --demo prints no login link (with --json
                            both are in the object on stdout, as before)
  --access-log on|off       one log line per request (request id, route, status, duration, town);
                            on by default, off by default with --demo (its fleet posts every second)
  --allow-private-webhooks  deliver alert webhooks to loopback, private and link-local addresses
                            (off by default: any user could aim the server at its own network)
  --max-open-towns N        town databases kept open at most, 1 to 10000 (default ${DEFAULT_MAX_OPEN_TOWNS}); the least
                            recently used idle one is closed (each open town holds 3 file descriptors;
                            fewer when the open-file limit, less 128 and 64 for connections, does not fit them)
${MAX_TOWNS_PER_OWNER_HELP}
  --max-town-mb N           each town's storage quota in MiB, ${MIN_MAX_TOWN_MB} to ${MAX_MAX_TOWN_MB} (default ${DEFAULT_MAX_TOWN_MB}, 9 GiB); past it
                            that town's ingest is refused with 507 (reporters keep their records and try again)
                            until data passing its retention frees room; the other towns go on
  --max-connections N       client connections open at once, 1 to 1000000 (default ${DEFAULT_MAX_CONNECTIONS}; fewer when
                            the open-file limit, less 128 and 3 per open town, does not fit them); past it
                            a new connection is closed at once
  --max-connections-per-client N
                            connections open at once from one client address (an IPv6 client's /64, and
                            ${SITE_FACTOR} times as many from its /48), 0 to 1000000 (default ${DEFAULT_MAX_CONNECTIONS_PER_CLIENT}; 0: no cap);
                            past it a new connection is closed at once. Loopback clients (a reverse proxy
                            on this machine) are not counted; behind a proxy on another machine every
                            client is its address: pass 0 and cap clients at the proxy
  --read-budget-ms-per-s N  event-loop milliseconds each user's reads (a scrape key's: its town's) may
                            take per second, sustained, 0 to 1000 (default ${DEFAULT_READ_BUDGET_MS_PER_S}; 0: no budget);
                            past it their reads get 429 with Retry-After until earned back. Ingest is
                            never charged
  --read-budget-burst-ms N  what each may spend at once, 1 to 60000 (default ${DEFAULT_READ_BUDGET_BURST_MS})
  --change-budget N         changes each user may make at once (tRPC mutations, sign-ins, login-link
                            redemptions, sign-outs), 1 to ${MAX_CHANGE_BUDGET_BURST} (default ${DEFAULT_CHANGE_BUDGET_BURST}); past it their changes get
                            429 with Retry-After (a sign-in: the login page says busy) and change nothing
  --change-budget-per-min N changes each earns back a minute, 0 to ${MAX_CHANGE_BUDGET_PER_MINUTE} (default ${DEFAULT_CHANGE_BUDGET_PER_MINUTE};
                            0: no budget). Ingest is never counted`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'tick-ms': { type: 'string' },
    demo: { type: 'boolean' },
    'public-url': { type: 'string' },
    'log-format': { type: 'string' },
    'access-log': { type: 'string' },
    'allow-private-webhooks': { type: 'boolean' },
    'max-open-towns': { type: 'string' },
    ...MAX_TOWNS_PER_OWNER_OPTION,
    'max-town-mb': { type: 'string' },
    'max-connections': { type: 'string' },
    'max-connections-per-client': { type: 'string' },
    'read-budget-ms-per-s': { type: 'string' },
    'read-budget-burst-ms': { type: 'string' },
    'change-budget': { type: 'string' },
    'change-budget-per-min': { type: 'string' },
  },
  positionals: 0,
  async run(values, _p, out) {
    // Said absolute in the start line and the commands it suggests: a service's log is read from another directory.
    const dataDir = resolve(String(values.data ?? './data'));
    const dataArg = values.data === undefined ? undefined : dataDir;
    // Loaded only for this command: the server's modules (Hono, tRPC, zod) would slow every other command's start.
    const { startServer } = await import('../serve.js');
    const demoOn = values.demo === true;
    const format = logFormat(values['log-format']);
    const logger = createLogger(format);
    // With --log-format json every line is a log line for a collector, and a secret has no place in a shipped
    // log: the start is said in JSON log lines, without the admin token (none is minted) or a login link.
    // --json still prints them on stdout, asked for by a script.
    const jsonLog = format === 'json' && !out.json;
    if (format === 'json') jsonProcessLines(logger);
    const publicUrl = publicOrigin(values['public-url']);
    const host = String(values.host ?? '127.0.0.1');
    // `--host "$HOST"` with HOST unset: node listens on every interface for an empty host, and the start line read
    // `open http://:8787`, where the help says the default is 127.0.0.1.
    if (host.trim() === '') {
      throw new UsageError(
        '--host is empty: give the address to listen on (default 127.0.0.1; 0.0.0.0 for every IPv4 interface)',
      );
    }
    const server = await startServer({
      dataDir,
      port: integerIn(values.port, 'port', 8787, 0, 65_535),
      host,
      tickMs: tickMs(values['tick-ms']),
      log: logger.message,
      ...(accessLogOn(values['access-log'], demoOn) ? { accessLog: logger.access } : {}),
      ...(publicUrl ? { publicUrl } : {}),
      demo: demoOn,
      adminToken: !jsonLog,
      webhooks: { allowPrivate: values['allow-private-webhooks'] === true },
      crashAt: crashPoint(process.env.GASGAUGE_TEST_CRASH),
      maxOpenTowns: integerIn(values['max-open-towns'], 'max-open-towns', DEFAULT_MAX_OPEN_TOWNS, 1, 10_000),
      maxTownsPerOwner: townQuota(values).maxTownsPerOwner,
      maxTownMb: integerIn(values['max-town-mb'], 'max-town-mb', DEFAULT_MAX_TOWN_MB, MIN_MAX_TOWN_MB, MAX_MAX_TOWN_MB),
      maxConnections: integerIn(values['max-connections'], 'max-connections', DEFAULT_MAX_CONNECTIONS, 1, 1_000_000),
      maxConnectionsPerClient: integerIn(
        values['max-connections-per-client'],
        'max-connections-per-client',
        DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
        0,
        1_000_000,
      ),
      readBudgetMsPerS: integerIn(values['read-budget-ms-per-s'], 'read-budget-ms-per-s', DEFAULT_READ_BUDGET_MS_PER_S, 0, 1000),
      readBudgetBurstMs: integerIn(
        values['read-budget-burst-ms'],
        'read-budget-burst-ms',
        DEFAULT_READ_BUDGET_BURST_MS,
        1,
        60_000,
      ),
      changeBudgetBurst: integerIn(
        values['change-budget'],
        'change-budget',
        DEFAULT_CHANGE_BUDGET_BURST,
        1,
        MAX_CHANGE_BUDGET_BURST,
      ),
      changeBudgetPerMin: integerIn(
        values['change-budget-per-min'],
        'change-budget-per-min',
        DEFAULT_CHANGE_BUDGET_PER_MINUTE,
        0,
        MAX_CHANGE_BUDGET_PER_MINUTE,
      ),
    });
    const demo = server.demo;
    // Before the start is said: a signal sent as soon as the listening line is read (a supervisor, a test) found no
    // handler yet and ended the server as a crash does (exit by the signal, server.json left behind).
    const stopped = new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        logger.message(`${signal}: shutting down`);
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // A closed terminal or ssh session (and a `kill -HUP` meant as a reload) ended the server as a crash does:
      // exit 129, requests cut off, server.json left behind. There is nothing to reload: stop cleanly.
      process.once('SIGHUP', stop);
      // Its log's reader went away (`serve 2>&1 | head`, a collector that died): stop as on SIGTERM, not crash on
      // EPIPE; main ends it with status 141, as a closed pipe ends a standard Unix tool.
      onOutputClosed(() => {
        logger.message('stdout or stderr closed: shutting down');
        resolve();
      });
      onNpmParentGone((parent) => {
        logger.message(`the npm process that started this server (pid ${parent}) is gone: shutting down`);
        resolve();
      });
    });
    const listening = `${host.includes(':') ? `[${host}]` : host}:${server.port}`;
    if (jsonLog) {
      const link = loginLinkCommand(dataArg);
      logger.message(`Gas Gauge listening on ${listening}, open ${server.publicUrl} (data: ${dataDir})`, {
        url: server.url,
        publicUrl: server.publicUrl,
        dataDir,
      });
      if (server.adminCreated) {
        logger.message(
          `created user "admin" (a server admin); no API token is logged: sign in with a one-time link from: ${link}, or issue a token with: ${userTokenCommand(dataArg)}`,
          { user: 'admin' },
        );
      }
      if (demo) {
        logger.message(
          `demo town ${demo.townId}: a simulated fleet posts usage through the ingest API every second; sign in with a one-time link to it from: ${link} --next /towns/${demo.townId}`,
          { townId: demo.townId },
        );
      }
    } else {
      // The JSON log says the start even when --json puts it on stdout: a log collector sees only stderr.
      if (format === 'json') {
        logger.message(`Gas Gauge listening on ${listening}, open ${server.publicUrl} (data: ${dataDir})`, {
          url: server.url,
          publicUrl: server.publicUrl,
          dataDir,
        });
      }
      out.result(
        {
          url: server.url,
          publicUrl: server.publicUrl,
          dataDir,
          adminToken: server.adminToken ?? null,
          ...(demo ? { demo: { townId: demo.townId, loginUrl: demo.loginUrl } } : {}),
        },
        [
          `Gas Gauge listening on ${listening}, open ${server.publicUrl} (data: ${dataDir})`,
          ...(server.adminToken
            ? ['Created user "admin". Its API token is shown only this once:', `  ${server.adminToken}`]
            : []),
          // Without the demo's link, a first start would leave a new user at a sign-in page with no next step.
          ...(server.adminToken && !demo
            ? [`Sign in at ${server.publicUrl}/login with it, or open a one-time link from: ${loginLinkCommand(dataArg)}`]
            : []),
          ...(demo
            ? [
                `Demo town ${demo.townId}: a simulated fleet posts usage through the ingest API every second.`,
                `Open this one-time login link within 10 minutes (later: ${loginLinkCommand(dataArg)}):`,
                `  ${demo.loginUrl}`,
              ]
            : []),
        ],
      );
    }
    await stopped;
    await server.close();
    // The last line of a clean stop: without it a log cannot tell one from a crash.
    logger.message('stopped');
    return 0;
  },
};

/**
 * With a JSON log, what Node itself would print plainly on stderr is a JSON line too: a crash's stack (an
 * uncaught exception, or an unhandled rejection, which Node raises as one; the exit status stays 1) and a
 * process warning. Their multi-line text was lines a collector could not parse.
 */
function jsonProcessLines(logger: Logger): void {
  process.on('uncaughtException', (err) => {
    logger.message(`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
  // Node's own listener prints the warning; ours says it as a log line instead.
  process.removeAllListeners('warning');
  process.on('warning', (w) => logger.message(`warning: ${w.name}: ${w.message}`));
}

function logFormat(value: Values[string]): LogFormat {
  if (value === undefined) return 'pretty';
  if (!(LOG_FORMATS as readonly unknown[]).includes(value))
    throw new UsageError(`--log-format must be ${LOG_FORMATS.join(' or ')}, not ${JSON.stringify(String(value))}`);
  return value as LogFormat;
}

/** `--access-log`: on unless said otherwise, but off by default with --demo (its fleet posts every second). */
export function accessLogOn(value: Values[string], demo: boolean): boolean {
  if (value === undefined) return !demo;
  if (value !== 'on' && value !== 'off')
    throw new UsageError(`--access-log must be on or off, not ${JSON.stringify(String(value))}`);
  return value === 'on';
}

/** `--public-url`: an http(s) origin, nothing after the host (the server answers on /, not under a prefix). */
export function publicOrigin(value: Values[string]): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new UsageError(`--public-url must be a URL like https://gauge.example.com, not "${value}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new UsageError(
      `--public-url must be http(s)://host[:port] with no path, query or credentials, not ${JSON.stringify(String(value))}`,
    );
  }
  return url.origin;
}

/** GASGAUGE_TEST_CRASH: fault injection for the exactly-once debit tests; never set it in production. */
function crashPoint(value: string | undefined): CrashPoint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(CRASH_POINTS as readonly string[]).includes(value)) {
    throw new UsageError(`GASGAUGE_TEST_CRASH must be one of ${CRASH_POINTS.join(', ')}`);
  }
  return value as CrashPoint;
}

/**
 * The command that prints another login link for this server: it must name the same data dir, and the way this
 * CLI is run (installed, `gasgauge`; from a clone, where no `gasgauge` is on the PATH, `npx gasgauge`).
 */
function loginLinkCommand(data: Values[string]): string {
  return adminCommand('login-link --user admin', data);
}

/** The command that issues another API token for `admin`, the same way (with --log-format json none is logged). */
function userTokenCommand(data: Values[string]): string {
  return adminCommand('user token admin', data);
}

function adminCommand(command: string, data: Values[string]): string {
  const cli = typeof GASGAUGE_VERSION === 'string' ? 'gasgauge' : 'npx gasgauge';
  if (typeof data !== 'string') return `${cli} ${command}`;
  // Quoted for a POSIX shell unless the path needs no quoting.
  const arg = /^[\w./-]+$/.test(data) ? data : `'${data.replaceAll("'", "'\\''")}'`;
  return `${cli} ${command} --data ${arg}`;
}
