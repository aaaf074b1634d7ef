import { randomBytes } from 'node:crypto';
import { MAX_CHANGE_BUDGET_BURST, newUserToken } from '@gasgauge/api';
import { afterAll, beforeAll } from 'vitest';
import { startTestServer } from '../../../server/src/testing/server.js';
import { tempDir } from '../../../server/src/testing/temp.js';
import { client } from './client.js';
import { startWorker } from './wrangler-dev.js';

/** A running Gas Gauge to test from outside: its base URL and the admin's API token. */
export interface Host {
  url: string;
  adminToken: string;
  close(): Promise<void>;
}

/** Both hosts tick every 200 ms, so a test waits for a tick as a client would: by polling. */
export const TEST_TICK_MS = 200;

/** Settings a contract test may give both hosts alike (each the same setting on either). */
export interface HostSettings {
  /** Each town's storage quota in MiB (`--max-town-mb`, the Worker's `MAX_TOWN_MB`). */
  maxTownMb?: number;
  /** Each user's changes at once (`--change-budget`, the Worker's `CHANGE_BUDGET_BURST`); raised unless given. */
  changeBudgetBurst?: number;
  /** Changes each user earns back a minute (`--change-budget-per-min`, the Worker's `CHANGE_BUDGET_PER_MIN`). */
  changeBudgetPerMin?: number;
}

/**
 * The contract tests send many changes per user, in lock step to two hosts that answer at different speeds: unless a
 * test sets the change budget, a burst no test reaches, so each host refuses what the other does for the input alone.
 */
const CONTRACT_DEFAULTS: HostSettings = { changeBudgetBurst: MAX_CHANGE_BUDGET_BURST };

/**
 * The hosts a contract test runs against, with `settings`: the Node server (`gasgauge serve`'s startServer on
 * a temp data dir) and the Worker in workerd (`wrangler dev --local` on a temp `--persist-to`).
 */
export function hostsWith(given: HostSettings): [name: string, start: () => Promise<Host>][] {
  const settings = { ...CONTRACT_DEFAULTS, ...given };
  return [
    [
      'node',
      async () => {
        const s = await startTestServer({ tickMs: TEST_TICK_MS, ...settings });
        return { url: s.url, adminToken: s.adminToken, close: () => s.close() };
      },
    ],
    [
      'worker',
      async () => {
        const adminToken = newUserToken();
        const w = await startWorker({
          persistTo: tempDir('gg-worker-'),
          adminToken,
          secret: randomBytes(32).toString('base64url'),
          tickMs: TEST_TICK_MS,
          ...settings,
        });
        return { url: w.url, adminToken, close: () => w.stop() };
      },
    ],
  ];
}

/** The hosts every contract test runs against, with their default settings. */
export const HOSTS = hostsWith({});

/** A host a describe block runs against: `h`, and `c` its client, once the block's beforeAll has run. */
export interface HostUnderTest {
  h: Host;
  c: ReturnType<typeof client>;
}

/** Starts the host before the block's tests and closes it after them (each contract file's setup). */
export function useHost(start: () => Promise<Host>): HostUnderTest {
  const host = {} as HostUnderTest;
  beforeAll(async () => {
    host.h = await start();
    host.c = client(host.h);
  }, 120_000);
  afterAll(() => host.h?.close());
  return host;
}
