import { CRASH_POINTS, type CrashPoint } from '../scheduler.js';
import { startServer } from '../serve.js';
import { type Command, integer, tickMs, UsageError } from './command.js';

export const serve: Command = {
  usage: 'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N] [--demo]',
  summary: 'run the server (API, web UI and tick) on an embedded SQLite data dir; --demo adds a demo town with a simulated fleet',
  options: { port: { type: 'string' }, host: { type: 'string' }, 'tick-ms': { type: 'string' }, demo: { type: 'boolean' } },
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
