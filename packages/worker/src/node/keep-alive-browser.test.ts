import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumAvailable, launchBrowser } from '../../../web/e2e/browser.js';
import { withKeepAlive } from '../keep-alive.js';

const EVERY_MS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The web UI reads `metrics.live` with the browser's EventSource (tRPC's httpSubscriptionLink): the Worker's
 * keep-alive comments, written between tRPC's events as it writes them (a line a chunk), must reach it as nothing:
 * no message, no error, no reconnect.
 */
describe.skipIf(!chromiumAvailable() && !process.env.CI)("the browser's EventSource and the Worker's keep-alive", () => {
  let server: Server;
  let browser: Browser;
  let url: string;
  let keepAlives = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/sse') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sse</title>');
        return;
      }
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        async start(c) {
          const write = (s: string) => c.enqueue(encoder.encode(s));
          write('event: connected\n');
          // Idle in the middle of an event: a comment and blank line here would send it as a plain message.
          await sleep(EVERY_MS * 4);
          write('data: {}\n');
          write('\n\n');
          for (const n of [1, 2]) {
            await sleep(EVERY_MS * 8);
            write(`data: ${n}\n`);
            write('\n\n');
          }
        },
      });
      const response = withKeepAlive(new Response(body, { headers: { 'content-type': 'text/event-stream' } }), EVERY_MS);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      const out = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
      out.on('data', (chunk: Buffer) => {
        if (chunk.toString().startsWith(':')) keepAlives++;
        res.write(chunk);
      });
      res.on('close', () => out.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('gets the events and nothing of the comments', async () => {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage());
    await page.goto(url);
    await page.evaluate(() => {
      const got: string[] = [];
      (window as unknown as { got: string[] }).got = got;
      const es = new EventSource('/sse');
      es.onmessage = (e) => got.push(`message ${e.data}`);
      es.addEventListener('connected', (e) => got.push(`connected ${(e as MessageEvent).data}`));
      es.onerror = () => got.push('error');
    });
    await page.waitForFunction(() => (window as unknown as { got: string[] }).got.length >= 3, undefined, { timeout: 10_000 });
    await sleep(EVERY_MS * 8);
    expect(await page.evaluate(() => (window as unknown as { got: string[] }).got)).toEqual([
      'connected {}',
      'message 1',
      'message 2',
    ]);
    // Written between the events and after them, while the stream stayed open.
    expect(keepAlives).toBeGreaterThanOrEqual(6);
  });
});
