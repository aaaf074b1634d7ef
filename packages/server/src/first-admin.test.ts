import { join } from 'node:path';
import { Control } from '@gasgauge/core';
import { expect, it } from 'vitest';
import { startServer } from './serve.js';
import { openSqlite } from './sqlite.js';
import { tempDir } from './testing/temp.js';

const start = (dataDir: string) => startServer({ dataDir, port: 0, host: '127.0.0.1', autoTick: false, log: () => {} });

/** The control database of a data dir as `gasgauge user add` leaves it before any start. */
function withUsers(dataDir: string, users: { name: string; admin: boolean }[]): void {
  const sql = openSqlite(join(dataDir, 'control.sqlite'));
  const control = new Control(sql, () => Date.now());
  for (const [i, u] of users.entries()) control.createUser(`user_${i}`, u.name, u.admin);
  sql.close();
}

it('a start on a data dir with users but no server admin creates admin (a user added before the first start)', async () => {
  const dir = tempDir('gg-first-admin-');
  withUsers(dir, [{ name: 'alice', admin: false }]);
  const server = await start(dir);
  await server.close();
  expect(server.adminCreated).toBe(true);
  expect(server.adminToken).toMatch(/^ggu_/);
  const sql = openSqlite(join(dir, 'control.sqlite'));
  expect(new Control(sql, () => Date.now()).userByName('admin')).toMatchObject({ isAdmin: true });
  sql.close();
  // Started again: there is an admin now, and no second one.
  const again = await start(dir);
  await again.close();
  expect(again.adminCreated).toBe(false);
});

it('a data dir with a server admin of another name, or a user named admin, gets no admin', async () => {
  for (const users of [[{ name: 'root', admin: true }], [{ name: 'admin', admin: false }]]) {
    const dir = tempDir('gg-first-admin-');
    withUsers(dir, users);
    const server = await start(dir);
    await server.close();
    expect(server.adminCreated, JSON.stringify(users)).toBe(false);
  }
});
