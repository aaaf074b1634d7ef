import { AppError, plural } from '@gasgauge/core';
import { type Context, Hono } from 'hono';
import type protobuf from 'protobufjs/light.js';
import { bearer } from '../auth/bearer.js';
import { INGEST_KEY_PREFIX } from '../auth/ingest-key.js';
import type { IngestClaims } from '../auth/ingest-token.js';
import { type BodyReader, INGEST_TOWN } from '../http/body.js';
import type { IngestCredentials } from '../ingest/credential.js';
import { otlpPrincipal, type ReadBudget } from '../ports/read-budget.js';
import type { TownDirectory } from '../ports/town.js';
import { type Gunzip, readOtlpBody } from './body.js';
import { decodeOtlp, type Encoding, encodingOf } from './decode.js';
import { logsToRecords } from './logs.js';
import { type ExportOutcome, metricsToRecords } from './metrics.js';
import { withinRecordBounds } from './record-bounds.js';
import { OTLP } from './schema.js';

/**
 * OTLP requests decoded and written at once, by default (a host may set fewer: OtlpDeps.maxInFlight). Exporters
 * retry a 429 after `Retry-After`, so past this the receiver sheds load instead of holding more exports in
 * memory: each holds its body (up to 1 MiB, inflated) and its decoded form, ~9 MiB for a real 1 MiB export.
 */
export const MAX_OTLP_IN_FLIGHT = 64;

export interface OtlpDeps {
  credentials: IngestCredentials;
  towns: TownDirectory;
  /** After an acknowledged write (live push, scheduler). */
  ingested: (townId: string) => Promise<void>;
  /** The host's bounded gzip inflater (see Gunzip); absent, Web streams inflate. */
  gunzip?: Gunzip;
  /** The host's body reader (ApiDeps.readBody); absent, the Web-standard one. */
  readBody?: BodyReader;
  /** Exports decoded and written at once (default MAX_OTLP_IN_FLIGHT). */
  maxInFlight?: number;
  /**
   * The host's share of time per principal (ApiDeps.readBudget): a town's exports are charged the time their
   * decoding takes, to the town (otlpPrincipal), and a town whose share is spent is refused before its body is read.
   */
  budget?: ReadBudget;
}

/**
 * OTLP/HTTP: `POST /v1/metrics` (and `/v1/logs`, and `/v1/traces`, taken and not read) with `Authorization: Bearer <ingest key or token>`, and
 * `POST /otlp/<ingest key>/v1/metrics` for exporters that take only a URL (the access log records the
 * route pattern, never the key). The town is the credential's. Points become usage records written
 * through the same group commit as `POST /api/towns/:townId/usage`.
 */
export function otlpRoutes(deps: OtlpDeps): Hono {
  const app = new Hono();
  let inFlight = 0;
  const maxInFlight = deps.maxInFlight ?? MAX_OTLP_IN_FLIGHT;

  /**
   * Credential (401/403/404), then the town's share of time (429), then the body (bounded, 413), then a slot (429),
   * then the export itself. The body is read before a slot is taken: a client that uploads slowly must not hold
   * slots that every other town's exporters need. The share: decoding a 1 MiB JSON export takes 200–300 ms of the
   * one event loop, so one key's holder looping real exports on 16 connections slowed other users' reads from 2 ms
   * to 390 ms, and at 100 connections another town's one export waited 12 s; the slots bound memory, not time.
   */
  const guarded =
    (handle: (c: Context, claims: IngestClaims, body: Uint8Array) => Promise<Response>) =>
    async (c: Context, credential: string) => {
      const claims = await deps.credentials.claims(credential);
      await deps.credentials.assertTown(claims, claims.townId);
      c.set(INGEST_TOWN, claims.townId);
      admitExport(deps.budget, claims.townId);
      const body = await readOtlpBody(c, deps.gunzip, deps.readBody);
      if (inFlight >= maxInFlight)
        throw new AppError('too_many_requests', `more than ${plural(maxInFlight, 'OTLP request')} at once; retry`);
      inFlight++;
      try {
        return await handle(c, claims, body);
      } finally {
        inFlight--;
      }
    };

  /**
   * Decodes an export into records (`build`), charging the time it took to the town: until its records are built,
   * as elapsed. The mapping (~60 % of a JSON export's cost) awaits id digests, and whatever the loop runs meanwhile
   * (another export, of this town or another) is charged too: an overcharge, bounded by what that other work may
   * take, which its own share bounds; measuring only this export's synchronous slices would need a hook into every
   * continuation that neither host gives the API.
   */
  const charged = async (townId: string, build: () => Promise<ExportOutcome>): Promise<ExportOutcome> => {
    const started = performance.now();
    try {
      return await build();
    } finally {
      deps.budget?.charge(otlpPrincipal(townId), performance.now() - started);
    }
  };

  /**
   * Writes an export's records as one partial usage job: a record an hour bound refuses is rejected
   * alone (in `partial_success`) and the rest are stored, so an exporter does not retry the whole export
   * forever; a retry refuses that record again and counts the rest once. Returns the rejected count and
   * the first reason.
   */
  const write = async (claims: IngestClaims, built: ExportOutcome): Promise<{ rejected: number; reason: string }> => {
    const outcome = withinRecordBounds(built);
    let { rejected, reason } = outcome;
    const town = deps.towns.get(claims.townId);
    const [usage] = await Promise.all([
      outcome.records.length > 0 ? town.ingest({ kind: 'usage', records: outcome.records, partial: true }) : undefined,
      outcome.activity.length > 0 ? town.ingest({ kind: 'activity', records: outcome.activity }) : undefined,
    ]);
    for (const refused of usage?.refused ?? []) {
      rejected++;
      reason ??= refused.message;
    }
    if (outcome.records.length + outcome.activity.length > 0) await deps.ingested(claims.townId);
    return { rejected, reason: reason ?? '' };
  };

  const exportMetrics = async (c: Context, claims: IngestClaims, bytes: Uint8Array) => {
    const encoding = encodingOf(c.req.header('content-type'));
    const built = await charged(claims.townId, () =>
      metricsToRecords(decodeOtlp(OTLP.metricsRequest, bytes, encoding), claims.agentId),
    );
    const { rejected, reason } = await write(claims, built);
    const partial = rejected > 0 ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: reason } } : {};
    return respond(c, encoding, OTLP.metricsResponse, partial);
  };

  const exportLogs = async (c: Context, claims: IngestClaims, bytes: Uint8Array) => {
    const encoding = encodingOf(c.req.header('content-type'));
    const built = await charged(claims.townId, () =>
      logsToRecords(decodeOtlp(OTLP.logsRequest, bytes, encoding), claims.agentId),
    );
    const { rejected, reason } = await write(claims, built);
    const partial = rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: reason } } : {};
    return respond(c, encoding, OTLP.logsResponse, partial);
  };

  /**
   * Traces are accepted and not read (nothing of a span is spend): an SDK sends every signal to the one
   * OTEL_EXPORTER_OTLP_ENDPOINT, Gemini CLI its spans too, and a 404 for them filled its log with export errors.
   * The same credential, body bounds and Content-Type as the other signals; the answer an empty
   * ExportTraceServiceResponse (no bytes in protobuf).
   */
  const exportTraces = async (c: Context) => {
    if (encodingOf(c.req.header('content-type')) === 'json') return c.json({});
    return c.body(new Uint8Array(0).buffer, 200, { 'Content-Type': 'application/x-protobuf' });
  };

  for (const [signal, handle] of [
    ['metrics', guarded(exportMetrics)],
    ['logs', guarded(exportLogs)],
    ['traces', guarded(exportTraces)],
  ] as const) {
    app.post(`/v1/${signal}`, (c) => handle(c, bearer(c.req.header('authorization'))));
    app.post(`/otlp/:key/v1/${signal}`, (c) => {
      const key = c.req.param('key');
      if (!key.startsWith(INGEST_KEY_PREFIX))
        throw new AppError('unauthorized', 'the URL must hold an ingest key (ggi_…)', { path: 'key' });
      return handle(c, key);
    });
  }
  return app;
}

/**
 * Refuses an export of a town whose share of the host's time is spent (`429`, Retry-After: when it has time again),
 * before its body is read. Exporters retry a 429 after Retry-After; the refusal costs the server next to nothing.
 */
function admitExport(budget: ReadBudget | undefined, townId: string): void {
  try {
    budget?.admit(otlpPrincipal(townId));
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'too_many_requests') throw err;
    const seconds = err.retryAfterSeconds ?? 1;
    throw new AppError(
      'too_many_requests',
      `this town's OTLP exports have held the server for more than their share of its time; nothing of this one was read; retry in ${seconds} s`,
      { retryAfterSeconds: seconds, path: 'body' },
    );
  }
}

/** An Export…ServiceResponse: empty when every point was taken. */
interface ExportResponse {
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string } | { rejectedLogRecords: number; errorMessage: string };
}

/** The Export…ServiceResponse in the request's encoding. */
function respond(c: Context, encoding: Encoding, type: protobuf.Type, value: ExportResponse): Response {
  if (encoding === 'json') return c.json(value);
  const bytes = type.encode(type.fromObject({ ...value })).finish();
  return c.body(new Uint8Array(bytes).buffer, 200, { 'Content-Type': 'application/x-protobuf' });
}
