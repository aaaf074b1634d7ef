import { startServer } from '../serve.js';
import { type Command, integer, tickMs } from './command.js';

export const serve: Command = {
  usage: 'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N]',
  summary: 'run the server (API and tick) on an embedded SQLite data dir',
  options: { port: { type: 'string' }, host: { type: 'string' }, 'tick-ms': { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const dataDir = String(values.data ?? './data');
    const server = await startServer({
      dataDir,
      port: integer(values.port, 'port', 8787),
      host: String(values.host ?? '127.0.0.1'),
      tickMs: tickMs(values['tick-ms']),
      log: (line) => console.error(line),
    });
    out.result({ url: server.url, dataDir, adminToken: server.adminToken ?? null }, [
      `Gas Gauge listening on ${server.url} (data: ${dataDir})`,
      ...(server.adminToken ? ['Created user "admin". Its API token is shown only this once:', `  ${server.adminToken}`] : []),
    ]);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    return 0;
  },
};
