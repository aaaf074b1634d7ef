import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RunningServer, startServer } from './serve.js';
import { connectFrom, GET, HEALTHY } from './testing/sockets.js';
import { tempDir } from './testing/temp.js';

/*
 * Requests the Node adapter cannot make a Request of, on a real server and a raw socket (fetch cannot send them): they
 * were answered an empty text/plain 400, with no error naming the field and no X-Request-Id.
 */
let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ dataDir: tempDir('gg-unreadable-'), port: 0, host: '127.0.0.1', autoTick: false, log: () => {} });
});
afterAll(async () => {
  await server?.close();
});

it.each([
  ['a raw backslash in the path', 'GET /healthz\\ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
  ['a backslash before the query', 'GET /api\\towns?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
])('answers %s with a JSON 400 naming the path and a request id, and serves the next request', async (_, request) => {
  const client = await connectFrom(server.url, '127.0.0.1');
  client.write(request);
  const answer = await client.waitFor(/\r\n\r\n\{.*\}$/s);
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  expect(head).toMatch(/^HTTP\/1\.1 400 /);
  expect(head.toLowerCase()).toContain('content-type: application/json');
  expect(head).toMatch(/\r\nx-request-id: [0-9a-f]{16}\r\n/i);
  expect(JSON.parse(body)).toMatchObject({ error: { code: 'bad_request', path: 'path' } });
  // The connection (or another) still serves.
  const next = await connectFrom(server.url, '127.0.0.1');
  next.write(GET('/healthz'));
  await next.waitFor(HEALTHY);
  client.socket.destroy();
  next.socket.destroy();
});
