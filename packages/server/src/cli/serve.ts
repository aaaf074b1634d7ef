import { CRASH_POINTS, type CrashPoint } from '../scheduler.js';
import { startServer } from '../serve.js';
import { DEFAULT_MAX_OPEN_TOWNS } from '../town-directory.js';
import {
  type Command,
  integer,
  integerIn,
  MAX_TOWNS_PER_OWNER_HELP,
  MAX_TOWNS_PER_OWNER_OPTION,
  tickMs,
  townQuota,
  UsageError,
} from './command.js';

export const serve: Command = {
  usage:
    'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N] [--demo] [--allow-private-webhooks] [--max-open-towns N] [--max-towns-per-owner N]',
  summary: 'run the server (API, web UI and tick) on an embedded SQLite data dir; --demo adds a demo town with a simulated fleet',
  help: `  --port N                  port to listen on (default 8787; 0 picks a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --tick-ms N               tick interval of an active town, 50 to 60000 (default 5000)
  --demo                    add a demo town with a simulated fleet, and print a one-time login link
  --allow-private-webhooks  deliver alert webhooks to loopback, private and link-local addresses
                            (off by default: any user could aim the server at its own network)
  --max-open-towns N        town databases kept open at most, 1 to 10000 (default ${DEFAULT_MAX_OPEN_TOWNS}); the least
                            recently used idle one is closed (each open town holds 3 file descriptors;
                            fewer when the open-file limit, less 128, does not fit them)
${MAX_TOWNS_PER_OWNER_HELP}`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'tick-ms': { type: 'string' },
    demo: { type: 'boolean' },
    'allow-private-webhooks': { type: 'boolean' },
    'max-open-towns': { type: 'string' },
    ...MAX_TOWNS_PER_OWNER_OPTION,
  },
  positionals: 0,
  async run(values, _p, out) {
    const dataDir = String(values.data ?? './data');
    const server = await startServer({
      dataDir,
      port: integer(values.port, 'port', 8787),
      host: String(values.host ?? '127.0.0.1'),
      tickMs: tickMs(values['tick-ms']),
      log: (line) => console.error(line),
      demo: values.demo === true,
      webhooks: { allowPrivate: values['allow-private-webhooks'] === true },
      crashAt: crashPoint(process.env.GASGAUGE_TEST_CRASH),
      maxOpenTowns: integerIn(values['max-open-towns'], 'max-open-towns', DEFAULT_MAX_OPEN_TOWNS, 1, 10_000),
      maxTownsPerOwner: townQuota(values).maxTownsPerOwner,
    });
    const demo = server.demo;
    out.result(
      {
        url: server.url,
        dataDir,
        adminToken: server.adminToken ?? null,
        ...(demo ? { demo: { townId: demo.townId, loginUrl: demo.loginUrl } } : {}),
      },
      [
        `Gas Gauge listening on ${server.url} (data: ${dataDir})`,
        ...(server.adminToken ? ['Created user "admin". Its API token is shown only this once:', `  ${server.adminToken}`] : []),
        ...(demo
          ? [
              `Demo town ${demo.townId}: a simulated fleet posts usage through the ingest API every second.`,
              'Open this one-time login link within 10 minutes (later: gasgauge login-link --user admin):',
              `  ${demo.loginUrl}`,
            ]
          : []),
      ],
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};

/** GASGAUGE_TEST_CRASH: fault injection for the exactly-once debit tests; never set it in production. */
function crashPoint(value: string | undefined): CrashPoint | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(CRASH_POINTS as readonly string[]).includes(value)) {
    throw new UsageError(`GASGAUGE_TEST_CRASH must be one of ${CRASH_POINTS.join(', ')}`);
  }
  return value as CrashPoint;
}
