import { hashToken, newId, newUserToken } from '@gasgauge/api';
import { Control, type Town } from '@gasgauge/core';
import { DataDir } from '../data-dir.js';
import { type ServeOptions, startServer } from '../serve.js';
import { openSqlite } from '../sqlite.js';
import { tempDir } from './temp.js';

/** Status and parsed JSON body (the raw text when it is not JSON) of one loopback request. */
export interface HttpResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON response shapes
  body: any;
}

/**
 * One request on real HTTP; a redirect is the answer, not followed. A string body is sent as-is, bytes
 * as bytes; anything else as JSON. `token` null sends no Authorization.
 */
export async function request(
  url: string,
  method: 'GET' | 'POST',
  path: string,
  token: string | null,
  body?: unknown,
): Promise<HttpResult> {
  const headers = new Headers();
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('content-type', 'application/json');
  const res = await fetch(url + path, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body: bodyInit(body) }),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

function bodyInit(body: unknown): string | ArrayBuffer {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  return JSON.stringify(body);
}

/** A tRPC query URL path: `/trpc/<proc>?input=<urlencoded JSON>`. */
export function trpcPath(proc: string, input?: unknown): string {
  return `/trpc/${proc}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`;
}

export interface TestServer {
  url: string;
  dataDir: string;
  adminToken: string;
  /** A town of the admin, and an ingest token (8 h, any agent) for it. */
  townId: string;
  ingestToken: string;
  /** Log lines of the server (tick failures and such). */
  logs: string[];
  close(): Promise<void>;
  /** POST; the token defaults to the ingest token. */
  post(path: string, body: unknown, token?: string | null): Promise<HttpResult>;
  /** GET; the token defaults to the admin token. */
  get(path: string, token?: string | null): Promise<HttpResult>;
  /** Another town of the admin, through tRPC. */
  createTown(name: string): Promise<string>;
  /** An ingest token through tRPC, with the admin token. */
  mint(townId: string, opts?: { agentId?: string; ttlSeconds?: number }): Promise<string>;
  /** Another (non-admin) user and an API token for them, written to the control store as the CLI does. */
  addUser(name: string): Promise<{ id: string; token: string }>;
  /** Ticks a town and settles its outbox into the owning account now. */
  tickTown(townId: string): Promise<void>;
  /** The server's own open `Town` (to fill a big town fast, without HTTP). */
  openTown(townId: string): Town;
}

/** A server on port 0 over a fresh temp data dir, with a town and an ingest token made through tRPC. */
export async function startTestServer(
  opts: Pick<
    ServeOptions,
    | 'tickMs'
    | 'webhooks'
    | 'clock'
    | 'autoTick'
    | 'accessLog'
    | 'publicUrl'
    | 'maxOpenTowns'
    | 'maxTownsPerOwner'
    | 'maxTownMb'
    | 'writeDelayMs'
    | 'liveStreamMaxMs'
    | 'readBudgetMsPerS'
    | 'readBudgetBurstMs'
    | 'changeBudgetPerMin'
    | 'changeBudgetBurst'
    | 'maxUnsentAnswerBytes'
    | 'unsentAnswerGraceMs'
  > & { dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? tempDir('gg-server-');
  const logs: string[] = [];
  const server = await startServer({ ...opts, dataDir, port: 0, host: '127.0.0.1', log: (line) => logs.push(line) });
  const adminToken = server.adminToken;
  if (!adminToken) {
    await server.close();
    throw new Error(`data dir ${dataDir} already has users; startTestServer needs an empty one`);
  }
  const { url } = server;
  const ok = (r: HttpResult, what: string) => {
    if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.result.data;
  };
  const createTown = async (name: string): Promise<string> =>
    ok(await request(url, 'POST', '/trpc/towns.create', adminToken, { name }), 'towns.create').id;
  const mint = async (townId: string, o: { agentId?: string; ttlSeconds?: number } = {}): Promise<string> =>
    ok(await request(url, 'POST', '/trpc/towns.mintIngestToken', adminToken, { townId, ...o }), 'mintIngestToken').token;

  try {
    const townId = await createTown('test town');
    const ingestToken = await mint(townId);
    return {
      url,
      dataDir,
      adminToken,
      townId,
      ingestToken,
      logs,
      close: () => server.close(),
      post: (path, body, token = ingestToken) => request(url, 'POST', path, token, body),
      get: (path, token = adminToken) => request(url, 'GET', path, token),
      createTown,
      mint,
      addUser: async (name) => {
        const token = newUserToken();
        const hash = await hashToken(token);
        const sql = openSqlite(new DataDir(dataDir).controlFile);
        try {
          const control = new Control(sql, () => Date.now());
          const user = control.createUser(newId('user'), name);
          control.addToken(user.id, hash, 'test');
          return { id: user.id, token };
        } finally {
          sql.close();
        }
      },
      tickTown: (townId) => server.tickTown(townId),
      openTown: (townId) => server.towns.get(townId),
    };
  } catch (err) {
    await server.close();
    throw err;
  }
}
