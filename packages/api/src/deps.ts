import type { Clock, TickHealth } from '@gasgauge/core';
import type { Context } from 'hono';
import type { AccessEntry } from './http/access-log.js';
import type { BodyReader } from './http/body.js';
import type { Readiness } from './http/health.js';
import type { Gunzip } from './otlp/body.js';
import type { ChangeBudget } from './ports/change-budget.js';
import type { ControlStore } from './ports/control.js';
import type { CredentialVouch } from './ports/credential-vouch.js';
import type { LiveBus } from './ports/live-bus.js';
import type { ReadBudget } from './ports/read-budget.js';
import type { TownDirectory } from './ports/town.js';

/** Everything the API needs from its host. */
export interface ApiDeps {
  control: ControlStore;
  /**
   * The control store without remembered answers, for whatever makes a change (tRPC mutations, sign-in):
   * a host that caches credential and access answers (Workers: worker/src/access-cache.ts) must not let a
   * credential or access revoked elsewhere make a new credential from one. Absent: `control`.
   */
  freshControl?: ControlStore;
  towns: TownDirectory;
  /** HS256 key for ingest tokens. */
  secret: Uint8Array;
  /**
   * Tags every secret the API mints and checks them (ports/credential-vouch.ts; both hosts: `secretVouch` of their
   * secret). Absent (tests), secrets are minted untagged and no credential vouches for itself.
   */
  vouch?: CredentialVouch;
  clock: Clock;
  live: LiveBus;
  /** Reads every request body, bounded (default: the Web-standard stream reader; Node reads its IncomingMessage directly). */
  readBody?: BodyReader;
  /**
   * Inflates a gzipped OTLP body, stopping at the body bound (both hosts: node:zlib's gunzipSync with
   * maxOutputLength). Absent, Web streams inflate, which on workerd ran a gzip bomb whole (see otlp/body.ts).
   */
  gunzip?: Gunzip;
  /** OTLP exports decoded and written at once (default MAX_OTLP_IN_FLIGHT, 64); past it a 429 (otlp/routes.ts). */
  maxOtlpInFlight?: number;
  /** Accept alert webhooks on loopback, private and link-local addresses (off: users could aim the server at its own network). */
  allowPrivateWebhooks?: boolean;
  /** Called after every acknowledged ingest (the Node host marks the town active for its scheduler). */
  onIngest?: (townId: string) => void;
  /** How a town's scheduled ticks have gone (Node: its scheduler; Workers: the town's object); towns.list shows it. */
  tickHealth?: (townId: string) => Promise<TickHealth>;
  /** The host's part of `GET /readyz` (the Node host: scheduler running, towns ticking); must be cheap, no I/O per town. */
  readiness?: () => Readiness;
  /** Where unexpected (5xx) errors are written, stack included (default `console.error`). */
  log?: (message: string) => void;
  /** Receives one entry per request (the access log); without it requests still get an `X-Request-Id`. */
  accessLog?: (entry: AccessEntry) => void;
  /**
   * The origin browsers use when the server sits behind a reverse proxy (`--public-url`): accepted by
   * the Origin (CSRF) checks, and when https, session cookies are `Secure`.
   */
  publicOrigin?: string;
  /**
   * Each principal's share of the host's time for reads: the Node host's one event loop, which answers every
   * town's reads, or on Workers each town object's time as an isolate sees it; absent, reads are not charged.
   */
  readBudget?: ReadBudget;
  /**
   * Each principal's budget of changes (tRPC mutations, sign-ins, login-link redemptions, sign-outs): every one
   * is a write to the one control store (on Workers, one Durable Object, and it empties the isolate's remembered
   * access answers), so one member looping changes must not queue everyone else; absent, changes are not counted.
   */
  changeBudget?: ChangeBudget;
  /**
   * A signal that aborts when the client closes the request before its answer (the Node host, from its
   * ServerResponse): a read still waiting for its turn then never runs. Not the Fetch Request's `signal`,
   * which on Node makes a second reader of the body the host reads itself.
   */
  clientGone?: (c: Context) => AbortSignal | undefined;
  /** Called after a budget is saved (a lowered cap may already be crossed: the host ticks the town soon, even a dormant one). */
  onBudget?: (townId: string) => void;
}
