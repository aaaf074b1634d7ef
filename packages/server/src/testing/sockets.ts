import { connect, type Socket } from 'node:net';

/** A raw TCP client of a test server, for what fetch cannot do: hold a connection idle, send a request a few bytes at a time. */
export interface RawClient {
  socket: Socket;
  /** performance.now() when the connection was made. */
  connectedAt: number;
  /** Everything the server sent so far. */
  received(): string;
  /** performance.now() when the connection closed, from either side (a reset counts too). */
  closed: Promise<number>;
  /** Whether the connection has closed. */
  isClosed(): boolean;
  write(text: string): void;
  /** Resolves with what was received once it matches `pattern`; rejects if the connection closes first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Connects to `url`'s port on 127.0.0.1 from `localAddress` (any 127.x.y.z: each is another client address on loopback). */
export function connectFrom(url: string, localAddress: string): Promise<RawClient> {
  const port = Number(new URL(url).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    let closedFlag = false;
    const waiters = new Set<() => void>();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
      for (const w of waiters) w();
    });
    // A reset by the server is a close like any other here.
    socket.on('error', () => {});
    const closed = new Promise<number>((resolveClosed) =>
      socket.once('close', () => {
        closedFlag = true;
        for (const w of waiters) w();
        resolveClosed(performance.now());
      }),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        connectedAt: performance.now(),
        received: () => data,
        closed,
        isClosed: () => closedFlag,
        write: (text) => socket.write(text),
        waitFor: (pattern, timeoutMs = 5_000) =>
          new Promise<string>((resolveWait, rejectWait) => {
            const check = () => {
              if (pattern.test(data)) return done(() => resolveWait(data));
              if (closedFlag) done(() => rejectWait(new Error(`closed before ${pattern}; received ${JSON.stringify(data)}`)));
            };
            const timer = setTimeout(
              () => done(() => rejectWait(new Error(`timed out waiting for ${pattern}; received ${JSON.stringify(data)}`))),
              timeoutMs,
            );
            const done = (outcome: () => void) => {
              clearTimeout(timer);
              waiters.delete(check);
              outcome();
            };
            waiters.add(check);
            check();
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/** A complete HTTP/1.1 GET of `path` that keeps the connection open. */
export const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

/** The status line of a complete answer to a GET /healthz. */
export const HEALTHY = /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n\{"ok":true\}/;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
