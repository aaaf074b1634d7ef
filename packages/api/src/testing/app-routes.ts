import { join } from 'node:path';
import { Control } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { createApp } from '../app.js';
import { LiveHub } from '../metrics/live-hub.js';
import { LocalControlStore } from '../ports/local-control.js';

/** Every route and middleware `createApp` registers (method, path pattern), for tests that walk them all. */
export function appRoutes(): { method: string; path: string }[] {
  const sql = openSqlite(join(tempDir('gg-routes-'), 'control.sqlite'));
  try {
    const app = createApp({
      control: new LocalControlStore(new Control(sql, Date.now), Date.now),
      towns: {
        get: () => {
          throw new Error('not used');
        },
      },
      secret: new Uint8Array(32),
      clock: Date.now,
      live: new LiveHub(),
    });
    return app.routes.map((r) => ({ method: r.method, path: r.path }));
  } finally {
    sql.close();
  }
}
