import { gunzipSync } from 'node:zlib';
import {
  AnswerTimeBuckets,
  type BodyReader,
  bodyBudget,
  type ChangeBudget,
  createApp,
  DEFAULT_READ_BUDGET_BURST_MS,
  DEFAULT_READ_BUDGET_MS_PER_S,
  hashToken,
  INGEST_TOWN,
  readWebBody,
  secretVouch,
  USER_TOKEN_PREFIX,
} from '@gasgauge/api';
import { AppError, BoundedMap, plural } from '@gasgauge/core';
import { accessCache } from './access-cache.js';
import { changeBudgetFromVars } from './change-budget.js';
import { doControl } from './control.js';
import { CONTROL_NAME } from './control-do.js';
import { settled } from './remote-error.js';
import { doLive, doTowns } from './towns.js';
import { boundUnknownCredentials, VOUCHED_HASHES_MAX } from './unknown-credentials.js';
import { serveAssets } from './web-assets.js';

/**
 * Request bodies one isolate holds at once, each from its first byte until its answer (the Node server counts
 * 128 MiB, MAX_BODY_BYTES_IN_FLIGHT, and only while bodies arrive: a Worker isolate has 128 MB in all). One
 * ingest token's holder sending 150 bodies of 1 MiB, each held back short of its end, grew the isolate's workerd
 * from 89 MB to 284 MB before the 503s; and a body read is parsed (5,000 records take about three times their
 * JSON) and waits on its town's object, 50,000 records a town. On Cloudflare an isolate past 128 MB is ended
 * with every request in it, every town's alike. 16 MiB is 16 bodies of 1 MiB per isolate, with their parsed
 * records, in well under its memory; past it a 503 that reporters and exporters retry.
 */
export const WORKER_MAX_BODY_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
bodyBudget.setLimit(WORKER_MAX_BODY_BYTES_IN_FLIGHT);

/** What each request holds of the body budget once its body is read, given back when the Worker has answered it. */
const held = new WeakMap<Request, { bytes: number; town: string | undefined }>();

/**
 * What one town's requests may hold of the isolate's budget: a town whose object answers slowly (busy with its
 * own readers' work, or on purpose) must not keep the other towns' ingest in this isolate out.
 */
export const WORKER_MAX_BODY_BYTES_PER_TOWN = WORKER_MAX_BODY_BYTES_IN_FLIGHT / 4;
/** Bytes held by each town's requests now (a town leaves the map when it holds nothing). */
const heldByTown = new Map<string, number>();

/** Runs `answer` for `request`, giving back the body bytes its reading held (see holdingBodyReader) once it is answered. */
export async function holdingBodies(request: Request, answer: () => Promise<Response>): Promise<Response> {
  const hold: { bytes: number; town: string | undefined } = { bytes: 0, town: undefined };
  held.set(request, hold);
  try {
    return await answer();
  } finally {
    bodyBudget.give(hold.bytes);
    if (hold.town !== undefined) {
      const left = (heldByTown.get(hold.town) ?? 0) - hold.bytes;
      if (left > 0) heldByTown.set(hold.town, left);
      else heldByTown.delete(hold.town);
    }
    hold.bytes = 0;
  }
}

/**
 * The Web-standard reader, whose bytes (of the shared budget only: not the /auth forms' own) stay taken until
 * the request is answered: after arriving, a body is parsed and waits on its town's object, all in this isolate.
 * An ingest's town (the route's, or an OTLP credential's: INGEST_TOWN) holds at most WORKER_MAX_BODY_BYTES_PER_TOWN.
 */
const holdingBodyReader: BodyReader = async (c, maxBytes, budget = bodyBudget) => {
  const bytes = await readWebBody(c, maxBytes, budget);
  const hold = budget === bodyBudget ? held.get(c.req.raw) : undefined;
  if (!hold) return bytes;
  const town: unknown = c.req.param('townId') ?? c.get(INGEST_TOWN);
  if (typeof town === 'string') {
    const mine = heldByTown.get(town) ?? 0;
    if (mine + bytes.byteLength > WORKER_MAX_BODY_BYTES_PER_TOWN)
      throw new AppError(
        'unavailable',
        `this town's requests already hold ${plural(mine, 'byte')} of request bodies waiting for their answers; retry`,
        { path: 'body' },
      );
    budget.take(bytes.byteLength);
    heldByTown.set(town, mine + bytes.byteLength);
    hold.town = town;
  } else {
    budget.take(bytes.byteLength);
  }
  hold.bytes += bytes.byteLength;
  return bytes;
};

/**
 * OTLP exports an isolate decodes and writes at once (the Node server: MAX_OTLP_IN_FLIGHT, 64). A real 1 MiB
 * Claude Code logs export decodes to ~9 MiB of objects, and a gzipped one counts only its compressed bytes in the
 * body budget: 64 of them were ~580 MiB in an isolate of 128 MB. Four are ~40 MiB; past them a 429 exporters retry.
 */
export const WORKER_MAX_OTLP_IN_FLIGHT = 4;

/** HS256 wants a key of at least its 256-bit output. */
export const MIN_SECRET_LENGTH = 32;

type App = ReturnType<typeof createApp>;

/**
 * The same Hono app as the Node host, in this (stateless) Worker isolate, over the Durable Object
 * adapters of the ports: control store → the control object, town handles → each town's object,
 * live bus → the town object's change stream. Built once per isolate, after the admin's token is
 * known to the control object.
 */
export function workerApp(env: Env): Promise<App> {
  const secret = env.GASGAUGE_SECRET;
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    return Promise.reject(new Misconfigured(`GASGAUGE_SECRET must be set, at least ${MIN_SECRET_LENGTH} characters`));
  }
  // Not a user token, it would make no admin, and the operator's every call would be a 401 "unknown API token".
  const admin = env.GASGAUGE_ADMIN_TOKEN;
  if (admin !== undefined && !admin.startsWith(USER_TOKEN_PREFIX)) {
    return Promise.reject(
      new Misconfigured(
        `GASGAUGE_ADMIN_TOKEN must be a ${USER_TOKEN_PREFIX}… token: ${USER_TOKEN_PREFIX} followed by a long random string`,
      ),
    );
  }
  built ??= build(env, secret).catch((err: unknown) => {
    built = undefined;
    throw err;
  });
  return built;
}

let built: Promise<App> | undefined;

async function build(env: Env, secret: string): Promise<App> {
  const admin = env.GASGAUGE_ADMIN_TOKEN;
  const adminHash = admin === undefined ? undefined : await hashToken(admin);
  if (adminHash !== undefined) await settled(env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)).bootstrapAdmin(adminHash));
  // Credentials and access checks answered from this isolate for a few seconds (access-cache.ts); never for a change.
  // Under it, lookups of credentials not found lately are bounded per isolate (unknown-credentials.ts).
  // A credential whose tag checks (minted by this deployment: api ports/credential-vouch.ts) is not counted there, so
  // a flood of made-up ones cannot crowd out real users this isolate has not seen; the API hands over, by hash, how to
  // check a credential's tag, and the bound runs it only for a lookup it would count (a cached answer costs no MAC).
  // So is GASGAUGE_ADMIN_TOKEN, which the operator chose (untagged) but this deployment's own secrets name.
  const checks = new BoundedMap<string, () => Promise<boolean>>(VOUCHED_HASHES_MAX);
  const key = new TextEncoder().encode(secret);
  const { cached, fresh } = accessCache(
    boundUnknownCredentials(doControl(env.CONTROL), {
      vouched: async (hash) => hash === adminHash || ((await checks.get(hash)?.()) ?? false),
    }),
  );
  const app = createApp({
    control: cached,
    freshControl: fresh,
    towns: doTowns(env.TOWN),
    live: doLive(env.TOWN),
    tickHealth: (townId) => settled(env.TOWN.get(env.TOWN.idFromName(townId)).tickHealth()),
    secret: key,
    vouch: secretVouch(key, (hash, check) => {
      // Set again, the newest: forgotten only after VOUCHED_HASHES_MAX other lookups.
      checks.delete(hash);
      checks.set(hash, check);
    }),
    clock: () => Date.now(),
    allowPrivateWebhooks: env.GASGAUGE_ALLOW_PRIVATE_WEBHOOKS === 'true',
    log: (line) => console.error(line),
    // nodejs_compat's zlib stops at the bound itself; the runtime's DecompressionStream inflated a gzip bomb whole.
    gunzip: (bytes, maxBytes) => gunzipSync(bytes, { maxOutputLength: maxBytes }),
    readBody: holdingBodyReader,
    maxOtlpInFlight: WORKER_MAX_OTLP_IN_FLIGHT,
    // A town's object runs one request at a time: a member looping expensive reads would hold its ingest and
    // other readers. Charged the time until answers, per isolate (ARCHITECTURE.md, Operations).
    readBudget: new AnswerTimeBuckets({ msPerSecond: DEFAULT_READ_BUDGET_MS_PER_S, burstMs: DEFAULT_READ_BUDGET_BURST_MS }),
    // Every change (a mutation, a sign-in, a login link's redemption) is a write to the deployment's one control object and empties
    // this isolate's remembered access answers (access-cache.ts): each user's changes are counted, per isolate, so one
    // member looping changes does not queue every other user's lookups behind theirs (ARCHITECTURE.md, Operations).
    ...changeBudgetEntry(changeBudgetFromVars(env.CHANGE_BUDGET_BURST, env.CHANGE_BUDGET_PER_MIN)),
  });
  // After every API route, as on Node: the web UI's pages, with the headers Node sends (web-assets.ts).
  if (env.ASSETS) serveAssets(app, env.ASSETS);
  return app;
}

/** `{ changeBudget }` when there is one (exactOptionalPropertyTypes: no key set to undefined). */
const changeBudgetEntry = (changeBudget: ChangeBudget | undefined) => (changeBudget ? { changeBudget } : {});

/** A deployment without its secrets: 503 with what is missing, never a stack. */
export class Misconfigured extends Error {}
