import { AppError, type UsageResult } from '@gasgauge/core';
import { type Context, Hono } from 'hono';
import { bearer } from '../auth/bearer.js';
import { INGEST_KEY_PREFIX } from '../auth/ingest-key.js';
import type { IngestCredentials } from '../ingest/credential.js';
import type { GroupCommit } from '../ingest/group-commit.js';
import { readOtlpBody } from './body.js';
import { decodeOtlp, type Encoding, encodingOf, metricsToRecords } from './metrics.js';
import { OTLP } from './schema.js';

export interface OtlpDeps {
  credentials: IngestCredentials;
  writer: GroupCommit;
  /** After an acknowledged write (live push, scheduler). */
  ingested: (townId: string) => void;
}

/**
 * OTLP/HTTP: `POST /v1/metrics` with `Authorization: Bearer <ingest key or token>`, and
 * `POST /otlp/<ingest key>/v1/metrics` for exporters that take only a URL (the access log records the
 * route pattern, never the key). The town is the credential's. Points become usage records written
 * through the same group commit as `POST /api/towns/:townId/usage`.
 */
export function otlpRoutes(deps: OtlpDeps): Hono {
  const app = new Hono();

  const metrics = async (c: Context, credential: string) => {
    const claims = await deps.credentials.claims(credential);
    deps.credentials.assertTown(claims, claims.townId);
    const encoding = encodingOf(c.req.header('content-type'));
    const body = decodeOtlp(OTLP.metricsRequest, await readOtlpBody(c), encoding);
    const { records, rejected, reason } = await metricsToRecords(body, claims.agentId);
    let result: UsageResult | undefined;
    if (records.length > 0) {
      result = await deps.writer.submit(claims.townId, { kind: 'usage', records });
      deps.ingested(claims.townId);
    }
    c.header('X-Gasgauge-Accepted', String(result?.accepted ?? 0));
    const partial = rejected > 0 ? { partialSuccess: { rejectedDataPoints: rejected, errorMessage: reason ?? '' } } : {};
    return respond(c, encoding, OTLP.metricsResponse, partial);
  };

  app.post('/v1/metrics', (c) => metrics(c, bearer(c.req.header('authorization'))));
  app.post('/otlp/:key/v1/metrics', (c) => {
    const key = c.req.param('key');
    if (!key.startsWith(INGEST_KEY_PREFIX))
      throw new AppError('unauthorized', 'the URL must hold an ingest key (ggi_…)', { path: 'key' });
    return metrics(c, key);
  });
  return app;
}

/** An Export…ServiceResponse: empty when every point was taken. */
interface ExportResponse {
  partialSuccess?: { rejectedDataPoints: number; errorMessage: string };
}

/** The Export…ServiceResponse in the request's encoding. */
function respond(c: Context, encoding: Encoding, type: typeof OTLP.metricsResponse, value: ExportResponse): Response {
  if (encoding === 'json') return c.json(value);
  const bytes = type.encode(type.fromObject({ ...value })).finish();
  return c.body(new Uint8Array(bytes).buffer, 200, { 'Content-Type': 'application/x-protobuf' });
}
