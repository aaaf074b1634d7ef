import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { openWriter } from './opencode-stores.js';

/**
 * A stand-in for `opencode serve` (no OpenCode binary can run here): a loopback HTTP server that
 * speaks OpenCode's server-sent events (`/global/event`, or only `/event` like older servers), asks
 * for basic auth, and writes every message to an OpenCode store on disk as the real server does.
 */
export function fakeOpencode(
  dataDir: string,
  opts: { globalEvents: boolean; password: string; start?: number; username?: string },
) {
  const writer = openWriter(join(dataDir, 'opencode.db'));
  const upsert = writer.prepare(
    'INSERT INTO message VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data, time_updated = excluded.time_updated',
  );
  const clients = new Set<ServerResponse>();
  const requests: string[] = [];
  let down = false;
  let muted = false;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (down) return void res.writeHead(503).end();
    // `kilo serve` asks for user `kilo` (KILO_SERVER_USERNAME), `opencode serve` for `opencode` (OPENCODE_SERVER_USERNAME).
    const want = `Basic ${Buffer.from(`${opts.username ?? 'opencode'}:${opts.password}`).toString('base64')}`;
    if (req.headers.authorization !== want) return void res.writeHead(401).end();
    if (req.url !== (opts.globalEvents ? '/global/event' : '/event')) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(': connected\n\n');
    clients.add(res);
    res.on('close', () => clients.delete(res));
  });
  let clock = opts.start ?? 1_780_000_000_000;
  return {
    server,
    requests,
    get connected() {
      return clients.size;
    },
    /** OpenCode updates a message: into its store, and to every subscriber. */
    message(id: string, output: number) {
      clock += 1000;
      const info = {
        id,
        sessionID: 'ses_1',
        role: 'assistant',
        modelID: 'claude-sonnet-4-5',
        providerID: 'anthropic',
        time: { created: clock },
        tokens: { input: 100, output, reasoning: 0, cache: { read: 0, write: 0 } },
        cost: output / 1e6,
      };
      const { id: _, sessionID: __, ...data } = info;
      upsert.run(id, 'ses_1', clock, clock, JSON.stringify(data));
      const event = { type: 'message.updated', properties: { info } };
      const body = JSON.stringify(opts.globalEvents ? { directory: '/work/alpha', payload: event } : event);
      if (!muted) for (const c of clients) c.write(`data: ${body}\n\n`);
    },
    /** The connection drops and the server is away (restarting) until up(). */
    drop() {
      down = true;
      for (const c of clients) c.destroy();
    },
    up() {
      down = false;
    },
    /** Like a proxy that keeps every connection open but stops forwarding: subscribers hear nothing more. */
    mute() {
      muted = true;
    },
    close() {
      writer.close();
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
