import { AppError } from '@gasgauge/core';
import { type Context, Hono } from 'hono';
import type protobuf from 'protobufjs/light.js';
import { bearer } from '../auth/bearer.js';
import { INGEST_KEY_PREFIX } from '../auth/ingest-key.js';
import type { IngestClaims } from '../auth/ingest-token.js';
import type { IngestCredentials } from '../ingest/credential.js';
import type { TownDirectory } from '../ports/town.js';
import { readOtlpBody } from './body.js';
import { decodeOtlp, type Encoding, encodingOf, metricsToRecords } from './metrics.js';
import { OTLP } from './schema.js';

/**
 * OTLP requests read or written at once. Exporters retry a 429 after `Retry-After`, so past this the
 * receiver sheds load instead of queueing bodies (up to 1 MiB each) in memory.
 */
export const MAX_OTLP_IN_FLIGHT = 64;
const RETRY_AFTER_SECONDS = 1;

export interface OtlpDeps {
  credentials: IngestCredentials;
  towns: TownDirectory;
  /** After an acknowledged write (live push, scheduler). */
  ingested: (townId: string) => Promise<void>;
}

/**
 * OTLP/HTTP: `POST /v1/metrics` (and `/v1/logs`) with `Authorization: Bearer <ingest key or token>`, and
 * `POST /otlp/<ingest key>/v1/metrics` for exporters that take only a URL (the access log records the
 * route pattern, never the key). The town is the credential's. Points become usage records written
 * through the same group commit as `POST /api/towns/:townId/usage`.
 */
export function otlpRoutes(deps: OtlpDeps): Hono {
  const app = new Hono();
  let inFlight = 0;

  /**
   * Credential (401/403/404), then the body (bounded, 413), then a slot (429), then the export itself.
   * The body is read before a slot is taken: a client that uploads slowly must not hold slots that every
   * other town's exporters need.
   */
  const guarded =
    (handle: (c: Context, claims: IngestClaims, body: Uint8Array) => Promise<Response>) =>
    async (c: Context, credential: string) => {
      const claims = await deps.credentials.claims(credential);
      await deps.credentials.assertTown(claims, claims.townId);
      const body = await readOtlpBody(c);
      if (inFlight >= MAX_OTLP_IN_FLIGHT) {
        const error = { code: 'too_many_requests', message: `more than ${MAX_OTLP_IN_FLIGHT} OTLP requests at once; retry` };
        return c.json({ error }, 429, { 'Retry-After': String(RETRY_AFTER_SECONDS), Connection: 'close' });
      }
      inFlight++;
      try {
        return await handle(c, claims, body);
      } finally {
        inFlight--;
      }
    };

  const exportMetrics = async (c: Context, claims: IngestClaims, bytes: Uint8Array) => {
    const encoding = encodingOf(c.req.header('content-type'));
    const body = decodeOtlp(OTLP.metricsRequest, bytes, encoding);
    const { records, rejected, reason } = await metricsToRecords(body, claims.agentId);
    if (records.length > 0) {
      await deps.towns.get(claims.townId).ingest({ kind: 'usage', records });
      await deps.ingested(claims.townId);
    }
    const partial = rejected > 0 ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: reason ?? '' } } : {};
    return respond(c, encoding, OTLP.metricsResponse, partial);
  };

  /*
   * Logs are decoded and checked like metrics, and counted nowhere: Claude Code's
   * `claude_code.api_request` events describe the spend its `claude_code.token.usage` and
   * `claude_code.cost.usage` metrics already count, so counting both would count it twice, and the
   * two carry no shared id to match them by. Metrics are the one source; an exporter that sends
   * logs too gets a 200, not an error to retry.
   */
  const exportLogs = async (c: Context, _claims: IngestClaims, bytes: Uint8Array) => {
    const encoding = encodingOf(c.req.header('content-type'));
    decodeOtlp(OTLP.logsRequest, bytes, encoding);
    return respond(c, encoding, OTLP.logsResponse, {});
  };

  for (const [signal, handle] of [
    ['metrics', guarded(exportMetrics)],
    ['logs', guarded(exportLogs)],
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

/** An Export…ServiceResponse: empty when every point was taken. */
interface ExportResponse {
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string };
}

/** The Export…ServiceResponse in the request's encoding. */
function respond(c: Context, encoding: Encoding, type: protobuf.Type, value: ExportResponse): Response {
  if (encoding === 'json') return c.json(value);
  const bytes = type.encode(type.fromObject({ ...value })).finish();
  return c.body(new Uint8Array(bytes).buffer, 200, { 'Content-Type': 'application/x-protobuf' });
}
