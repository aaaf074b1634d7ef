import type { AddressInfo } from 'node:net';
import {
  type ApiDeps,
  createApp,
  hashToken,
  LiveHub,
  LocalControlStore,
  LocalTowns,
  MAX_BODY_BYTES,
  mintIngestToken,
  newId,
  newUserToken,
} from '@gasgauge/api';
import { Control } from '@gasgauge/core';
import { afterTwoTurns, DataDir, FileTownDirectory, openSqlite, readNodeBody } from '@gasgauge/server';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

export const NOOP_PATH = '/bench/noop';

export interface BenchServer {
  url: string;
  deps: ApiDeps;
  towns: FileTownDirectory;
  userToken: string;
  /** A new town owned by the bench user, as the CLI or tRPC would create it. */
  createTown(name: string): string;
  ingestToken(townId: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The server as serve.ts builds it (control database, one SQLite file per town, the real Hono app),
 * plus one no-op POST route for the HTTP floor, listening on loopback with an ephemeral port.
 * No tick scheduler (onIngest is a no-op): the bench ticks explicitly.
 */
export async function startBenchServer(dir: string): Promise<BenchServer> {
  const clock = () => Date.now();
  const dataDir = new DataDir(dir);
  const controlSql = openSqlite(dataDir.controlFile);
  const control = new Control(controlSql, clock);
  const towns = new FileTownDirectory(dataDir, clock);
  // As serve.ts: the ingest requests gathered over two event-loop turns share one commit (group commit).
  const deps: ApiDeps = {
    control: new LocalControlStore(control, clock),
    towns: new LocalTowns((id) => towns.get(id), afterTwoTurns),
    secret: dataDir.secret({}),
    clock,
    live: new LiveHub(),
    readBody: readNodeBody,
    onIngest: () => {},
  };

  const user = control.createUser(newId('user'), 'bench', true);
  const userToken = newUserToken();
  control.addToken(user.id, await hashToken(userToken), 'bench');

  const root = new Hono();
  // The HTTP floor of a POST: the body is read (as every POST handler must), nothing else is done.
  root.post(NOOP_PATH, async (c) => {
    await readNodeBody(c, MAX_BODY_BYTES);
    return c.json({ ok: true });
  });
  root.route('/', createApp(deps));
  const server = serve({ fetch: root.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    towns,
    userToken,
    createTown: (name) => control.createTown(newId('town'), name, { userId: user.id }).id,
    ingestToken: async (townId) => (await mintIngestToken(deps.secret, { townId, ttlSeconds: 3600, now: clock() })).token,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      towns.close();
      controlSql.close();
    },
  };
}
