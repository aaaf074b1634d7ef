import { CRASH_POINTS, type CrashPoint } from '../scheduler.js';
import { type Command, integer, tickMs, UsageError } from './command.js';

export const serve: Command = {
  usage: 'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N] [--demo] [--allow-private-webhooks]',
  summary: 'run the server (API, web UI and tick) on an embedded SQLite data dir; --demo adds a demo town with a simulated fleet',
  help: `  --port N                  port to listen on (default 8787; 0 picks a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --tick-ms N               tick interval of an active town, 50 to 60000 (default 5000)
  --demo                    add a demo town with a simulated fleet, and print a one-time login link
  --allow-private-webhooks  deliver alert webhooks to loopback, private and link-local addresses
                            (off by default: any user could aim the server at its own network)`,
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'tick-ms': { type: 'string' },
    demo: { type: 'boolean' },
    'allow-private-webhooks': { type: 'boolean' },
  },
  positionals: 0,
  async run(values, _p, out) {
    const dataDir = String(values.data ?? './data');
    // Loaded only for this command: the server's modules (Hono, tRPC, zod) would slow every other command's start.
    const { startServer } = await import('../serve.js');
    const server = await startServer({
      dataDir,
      port: integer(values.port, 'port', 8787),
      host: String(values.host ?? '127.0.0.1'),
      tickMs: tickMs(values['tick-ms']),
      log: (line) => console.error(line),
      demo: values.demo === true,
      webhooks: { allowPrivate: values['allow-private-webhooks'] === true },
      crashAt: crashPoint(process.env.GASGAUGE_TEST_CRASH),
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
