import { chmodSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError, TokenError } from '../errors.js';
import { Sender } from '../outbox/sender.js';
import { Store } from '../outbox/store.js';
import { removeDir, tempDir } from '../testing/server.js';
import { MAX_ANSWER_BYTES, postJson, snippet } from './client.js';
import { TokenSource, tokenFileWarning } from './token.js';

/** A real HTTP server on loopback answering every POST with `answer`; counts the bytes it got out. */
class HostileServer {
  readonly server: Server;
  url = '';
  written = 0;
  constructor(answer: (res: ServerResponse, server: HostileServer) => void) {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res, this));
    });
  }
  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Writes up to 256 MiB as fast as the client takes it: without a bound the client would hold all of it. */
function flood(status: number) {
  return (res: ServerResponse, s: HostileServer) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (s.written < 256 * 1024 * 1024) {
        s.written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };
}

describe('postJson against a hostile server', () => {
  let server: HostileServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const refusal = async (answer: (res: ServerResponse, s: HostileServer) => void, timeoutMs = 10_000) => {
    server = await new HostileServer(answer).start();
    const err = await postJson(`${server.url}/api/towns/t/usage`, 'tok', '{"records":[]}', timeoutMs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  };

  it('says to check --server when an https:// URL meets a plain-HTTP port (it was a bare EPROTO)', async () => {
    server = await new HostileServer((res) => res.end('{}')).start();
    const url = `${server.url.replace('http:', 'https:')}/api/towns/t/usage`;
    const err = await postJson(url, 'tok', '{"records":[]}', 10_000).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).message).toBe(
      `no answer from ${url}: EPROTO (no TLS answered there, plain http perhaps: check that --server says http:// for the server (https:// only where TLS is served))`,
    );
  });

  it('stops reading a 200 answer past 64 KiB, and does not take it as an acknowledgement', async () => {
    const err = await refusal(flood(200));
    expect(err.status).toBe(200);
    expect(err.message).toContain(`an answer over ${MAX_ANSWER_BYTES} bytes`);
    // What the server got out before the client hung up: socket buffers, not the 256 MiB.
    expect(server?.written).toBeLessThan(32 * 1024 * 1024);
  });

  it('stops reading an error answer past 64 KiB, and keeps its message short', async () => {
    const err = await refusal(flood(503));
    expect(err.status).toBe(503);
    expect(err.apiError).toBe(false);
    expect(err.message.length).toBeLessThan(400);
    expect(server?.written).toBeLessThan(32 * 1024 * 1024);
  });

  it("names an HTML error page by its title, on one line (another server at --server: Python's http.server)", async () => {
    const page =
      '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n        <title>Error response</title>\n    </head>\n' +
      '    <body>\n        <h1>Error response</h1>\n        <p>Error code: 501</p>\n    </body>\n</html>\n';
    const err = await refusal((res) => {
      res.writeHead(501, 'Unsupported method', { 'content-type': 'text/html' });
      res.end(page);
    });
    expect(err.status).toBe(501);
    expect(err.message).toBe(`HTTP 501 from ${server?.url}/api/towns/t/usage: an HTML page ("Error response")`);
    expect(snippet('<html><body>Sign in\n to continue</body></html>')).toBe('an HTML page ("Sign in to continue")');
    expect(snippet('<html><body><br></body></html>')).toBe('an HTML page');
    expect(snippet('upstream\n  connect error  ')).toBe('upstream connect error');
    expect(snippet('x'.repeat(300))).toBe(`${'x'.repeat(200)}…`);
  });

  it("takes no 2xx that is not the ingest API's tallies as an acknowledgement", async () => {
    // Another service's JSON object too (an echo service, a gateway's health answer): taken, its records were deleted.
    const others = ['{}', '{"status":"ok"}', '{"json":{"records":[]},"url":"http://x/api/towns/t/usage"}', '{"accepted":"3"}'];
    for (const body of ['<html><body>Welcome to the hotel wifi</body></html>', '', '[1]', '"ok"', ...others]) {
      const err = await refusal((res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(body);
      });
      expect(err.status).toBe(200);
      expect(err.message).toContain("not the ingest API's answer");
      await server?.close();
      server = undefined;
    }
  });

  it('counts a 200 whose body never finishes as no answer (retried), not as an acknowledgement', async () => {
    const err = await refusal((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"accepted":');
    }, 500);
    expect(err.status).toBe(0);
    expect(err.message).toContain('cut off');
  });
});

describe('postJson on a kept-alive connection the server closed', () => {
  it('sends the request again once, on a new connection, instead of failing the delivery', async () => {
    // The server answers a connection's first request and resets the connection when a second one comes on it:
    // what a client sees when its pooled connection is closed (a keep-alive timeout, a restart) as it reuses it.
    const requestsOn = new Map<unknown, number>();
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      const n = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":0}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/towns/t/usage`;
      for (let i = 0; i < 3; i++) expect((await postJson(url, 'tok', '{"records":[]}')).body).toEqual({ accepted: 0 });
      // The second went out on the first's pooled connection, was reset, and went again on a connection of its own;
      // the third found no pooled connection left and opened one.
      expect([requests, requestsOn.size]).toEqual([4, 3]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('does not send again when a new connection is reset: that is a failed delivery, retried later', async () => {
    let requests = 0;
    const server = createServer((req) => {
      requests++;
      req.socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/towns/t/usage`;
      const err = await postJson(url, 'tok', '{"records":[]}').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect((err as DeliveryError).message).toContain('ECONNRESET');
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('Sender against a server answering 200 with something else', () => {
  let dir: string;
  let store: Store;
  let server: HostileServer;
  beforeEach(async () => {
    dir = tempDir('gg-client-');
    store = new Store(join(dir, 'state'));
    writeFileSync(join(dir, 'token'), 'tok\n');
    server = await new HostileServer((res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Sign in to continue</html>');
    }).start();
  });
  afterEach(async () => {
    store.close();
    await server.close();
    removeDir(dir);
  });

  it('keeps every record in the outbox and says what answered', async () => {
    store.transaction(() =>
      store.enqueue(
        'usage',
        'r1',
        { id: 'r1', agentId: 'a', model: 'm', inputTokens: 1, outputTokens: 1, costMicrodollars: 1, at: Date.now() },
        'replace',
      ),
    );
    const sender = new Sender({
      store,
      serverUrl: server.url,
      townId: 't',
      token: new TokenSource({ file: join(dir, 'token') }),
    });
    expect(await sender.drain(Date.now() + 5_000)).toBe(false);
    expect(store.pendingCount()).toBe(1);
    expect(sender.state.fatal?.message).toContain('Sign in to continue');
  });
});

describe('a token that cannot be sent', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('gg-token-');
  });
  afterEach(() => removeDir(dir));

  it('is refused when read, saying why without echoing it', async () => {
    for (const text of ['eyJsecret\nsecond-token\n', 'eyJ secret', 'eyJsecrét']) {
      writeFileSync(join(dir, 'token'), text);
      const err = await new TokenSource({ file: join(dir, 'token') }).get().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenError);
      expect((err as Error).message).toMatch(/characters a token cannot have/);
      expect((err as Error).message).not.toContain('secret');
    }
    const refresh = new TokenSource({ file: join(dir, 'token'), refreshCommand: "printf 'eyJsecret\\nmore'" });
    const err = await refresh.refresh().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).not.toContain('secret');
  });

  it('a failed refresh command is named without its command line, its output or a credential on its stderr', async () => {
    const command =
      'curl -sf -H "Authorization: Bearer ggu_inTheCommandSecret" http://127.0.0.1:9/ 2>/dev/null; printf eyJstdoutSecret; echo "minting failed for ggi_stderrSecret (eyJhbGciOi.eyJzdWIi.jwtSecret) Bearer plainSecret ggs_cookieSecret ggl_linkSecret" >&2; exit 3';
    const err = await new TokenSource({ file: join(dir, 'token'), refreshCommand: command }).refresh().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as Error).message).toBe('token refresh command failed (exit code 3: minting failed for … (…) Bearer … … …)');
    expect(inspect(err, { depth: 10 })).not.toMatch(/Secret|eyJ/);
  });

  it('is warned about when other users can read its file, and only then', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'eyJtoken');
    chmodSync(file, 0o600);
    expect(tokenFileWarning(file)).toBeUndefined();
    for (const mode of [0o640, 0o604]) {
      chmodSync(file, mode);
      expect(tokenFileWarning(file)).toBe(
        `the token file ${file} can be read by other users (mode ${mode.toString(8)}): anyone on this machine could post spend to this town with it; run: chmod 600 ${file}`,
      );
    }
  });

  it('never appears in a delivery error', async () => {
    const err = await postJson('http://127.0.0.1:9/api/towns/t/usage', 'eyJsecret\nsecond', '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as Error).message).not.toContain('secret');
  });
});
