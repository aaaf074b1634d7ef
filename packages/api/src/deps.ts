import type { Clock, Control, Town } from '@gasgauge/core';
import type { BodyReader } from './http/body.js';
import type { LiveHub } from './metrics/live-hub.js';

/** Where the API finds a town's actor. Hosts implement it (a file per town on Node, a Durable Object on Workers). */
export interface TownDirectory {
  /**
   * The town's actor; the caller has already checked that the town exists in the control store.
   * Use it synchronously and get it again after any await: a host may close an idle town to bound
   * its open files (the Node host keeps an LRU), and a closed handle throws.
   */
  get(townId: string): Town;
}

/** Everything the API needs from its host. */
export interface ApiDeps {
  control: Control;
  towns: TownDirectory;
  /** HS256 key for ingest tokens. */
  secret: Uint8Array;
  clock: Clock;
  live: LiveHub;
  /**
   * Schedules the write of the ingest requests gathered so far (group commit). Default
   * `queueMicrotask`; the Node host waits two event-loop turns (`afterTwoTurns`) to gather more.
   */
  defer?: (fn: () => void) => void;
  /** Reads ingest bodies (default: the Web-standard stream reader; Node reads its IncomingMessage directly). */
  readBody?: BodyReader;
  /** Accept alert webhooks on loopback, private and link-local addresses (off: users could aim the server at its own network). */
  allowPrivateWebhooks?: boolean;
  /** Called after every acknowledged ingest (the Node host marks the town active for its scheduler). */
  onIngest?: (townId: string) => void;
  /** Called after a budget is saved (a lowered cap may already be crossed: the host ticks the town soon, even a dormant one). */
  onBudget?: (townId: string) => void;
}
