import { createLoginLink, mintIngestToken, newId, secretVouch } from '@gasgauge/api';
import { type Clock, type Control, plural, Sessions, type TownInfo } from '@gasgauge/core';
import { Fleet } from './fleet.js';
import { history } from './history.js';
import { IngestClient } from './ingest-client.js';
import { Random } from './random.js';

export const DEMO_TOWN = 'Demo Town';
const STEP_MS = 1000;
/** What a new demo town's owner is granted on top of the history's cost: a few hours of the fleet's burn (~$25–110/h). */
const DEMO_CREDITS_MICRODOLLARS = 500_000_000;
/** Mint a fresh ingest token this long before the current one expires (tokens live at most 8 h). */
const REMINT_BEFORE_MS = 10 * 60_000;

export interface Demo {
  townId: string;
  /** A one-time login path (`/auth/link?code=…`) that lands on the demo town. */
  loginPath: string;
  /** Resolves when the first week of history has been posted (on a new demo town). */
  ready: Promise<void>;
  stop(): void;
}

/**
 * `gasgauge serve --demo`: a demo town owned by `admin`, and a simulated fleet that posts usage,
 * events and lines of code every second through the real ingest API with a real ingest token.
 * A new demo town first gets a week of history (so every range preset has something to show), and its
 * owner credits that pay for the history and leave $500 in the gas tank.
 */
export async function startDemo(opts: {
  control: Control;
  url: string;
  secret: Uint8Array;
  clock: Clock;
  log: (line: string) => void;
}): Promise<Demo> {
  const { control, clock, log } = opts;
  const owner = control.userByName('admin') ?? demoUser(control);
  const existing = control.townsOf(owner.id).find((t) => t.name === DEMO_TOWN);
  const town: TownInfo = existing ?? control.createTown(newId('town'), DEMO_TOWN, { userId: owner.id });
  const seed = clock() % 2 ** 31;
  const rng = new Random(seed);

  let minted = await mintIngestToken(opts.secret, { townId: town.id, ttlSeconds: 8 * 3600, now: clock() });
  const client = new IngestClient(opts.url, town.id, minted.token);
  const fleet = new Fleet(rng, seed.toString(36));
  let stopped = false;
  let busy = false;
  let lastError = '';

  const step = async () => {
    if (busy || stopped) return; // a slow step is skipped, never queued
    busy = true;
    try {
      const now = clock();
      if (minted.expiresAt - now < REMINT_BEFORE_MS) {
        minted = await mintIngestToken(opts.secret, { townId: town.id, ttlSeconds: 8 * 3600, now });
        client.setToken(minted.token);
      }
      const batch = fleet.step(now);
      // Events first: an agent's status and bead exist before its usage and lines arrive.
      if (batch.events.length) await client.post('events', batch.events);
      if (batch.usage.length) await client.post('usage', batch.usage);
      if (batch.loc.length) await client.post('loc', batch.loc);
      lastError = '';
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== lastError && !stopped) log(`demo: ${message}`);
      lastError = message;
    } finally {
      busy = false;
    }
  };

  const ready = existing
    ? Promise.resolve()
    : (async () => {
        const past = history(new Random(seed + 1), clock());
        // The gas tank starts with the history paid for and $500 left, so it has a countdown to show.
        const historyCost = past.usage.reduce((sum, r) => sum + r.costMicrodollars, 0);
        control.ledger.grant(owner.id, historyCost + DEMO_CREDITS_MICRODOLLARS, clock(), 'demo credits');
        await client.post('events', past.events);
        await client.post('usage', past.usage);
        log(`demo: posted ${plural(past.usage.length, 'usage record')} and ${plural(past.events.length, 'event')} of history`);
      })().catch((err) => log(`demo: history failed: ${err instanceof Error ? err.message : String(err)}`));

  void step();
  const timer = setInterval(() => void step(), STEP_MS);
  const link = await createLoginLink(new Sessions(control.sql, clock), owner.id, `/towns/${town.id}`, secretVouch(opts.secret));
  return {
    townId: town.id,
    loginPath: link.path,
    ready,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** A data dir whose users were made by hand may have no `admin`: the demo then gets its own (it signs in by link). */
function demoUser(control: Control) {
  return control.userByName('demo') ?? control.createUser(newId('user'), 'demo');
}
