import { AppError, MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS, type UsageRecord } from '@gasgauge/core';
import type protobuf from 'protobufjs/light.js';
import { base64url } from '../auth/user-token.js';
import { decodeUtf8, refuseLoneSurrogates } from '../http/utf8.js';
import { MAX_EPOCH_MS, OTLP_RECORD_PREFIX } from '../ingest/schemas.js';
import { attributeMap, canonical, type KeyValue } from './attributes.js';
import { agentOf, beadOf, METRICS, type MetricMapping, modelOf, providerOf } from './mapping.js';

/** How an OTLP body is encoded, from its Content-Type. */
export type Encoding = 'protobuf' | 'json';

export function encodingOf(contentType: string | undefined): Encoding {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  throw new AppError('bad_request', 'Content-Type must be application/x-protobuf or application/json', { path: 'content-type' });
}

/** A message of `type` from either encoding, as a plain object (64-bit integers as decimal strings). */
export function decodeOtlp(type: protobuf.Type, bytes: Uint8Array, encoding: Encoding): unknown {
  try {
    const json = encoding === 'json' ? (JSON.parse(decodeUtf8(bytes)) as unknown) : undefined;
    if (encoding === 'json' && (json === null || typeof json !== 'object' || Array.isArray(json)))
      throw new AppError('bad_request', `body is not OTLP JSON ${type.name}: not an object`, { path: 'body' });
    const message = encoding === 'protobuf' ? type.decode(bytes) : type.fromObject(json as protobuf.Message);
    const value = type.toObject(message, { longs: String, enums: Number, defaults: false, arrays: true });
    refuseLoneSurrogates(value); // both encodings: attribute values become stored agent and model ids
    return value;
  } catch (err) {
    if (err instanceof AppError) throw err;
    const what = encoding === 'protobuf' ? 'an OTLP protobuf' : 'OTLP JSON';
    throw new AppError('bad_request', `body is not ${what} ${type.name}: ${(err as Error).message}`.slice(0, 300), {
      path: 'body',
      cause: err,
    });
  }
}

interface DataPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: string;
  timeUnixNano?: string;
  asDouble?: number;
  asInt?: string;
  sum?: number;
}
interface Metric {
  name?: string;
  gauge?: { dataPoints?: unknown[] };
  sum?: { dataPoints?: DataPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: { dataPoints?: DataPoint[]; aggregationTemporality?: number };
  exponentialHistogram?: { dataPoints?: unknown[] };
  summary?: { dataPoints?: unknown[] };
}
interface MetricsRequest {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { scope?: { name?: string; version?: string }; metrics?: Metric[] }[];
  }[];
}

const DELTA = 1;
const CUMULATIVE = 2;

/** Data points per export, as records per usage batch. */
export const MAX_OTLP_POINTS = 5000;
/** Attributes of a resource or a point, and the characters of each key and value (and of a scope's name and version). */
export const MAX_OTLP_ATTRIBUTES = 128;
export const MAX_OTLP_ATTRIBUTE_CHARS = 1024;

function attributesTooBig(sent: number, map: ReadonlyMap<string, string>): boolean {
  if (sent > MAX_OTLP_ATTRIBUTES) return true;
  for (const [k, v] of map) if (k.length > MAX_OTLP_ATTRIBUTE_CHARS || v.length > MAX_OTLP_ATTRIBUTE_CHARS) return true;
  return false;
}

export interface MetricsOutcome {
  records: UsageRecord[];
  rejected: number;
  /** Why the first rejected point was rejected (OTLP's `error_message`). */
  reason: string | undefined;
}

/**
 * Turns an ExportMetricsServiceRequest into usage records for the town's ordinary ingest path, so
 * OTLP counts exactly once the way the usage API does:
 * - a delta point is a `delta` record keyed by (series, start, time): a retried export is a duplicate;
 * - a cumulative point is a `cumulative` record keyed by (series, start), holding the total so far: the
 *   town counts only its increase over what that record already counted, in the same transaction as the
 *   counters, so a server restart neither loses nor doubles it; a new start time (an exporter restart)
 *   is a new record, counted from zero.
 * A series is resource + scope + metric + point attributes, so processes that share a `session.id`
 * but not a resource are separate series. `agentId`, when the credential names one, is every point's agent.
 */
export async function metricsToRecords(body: unknown, agentId: string | undefined): Promise<MetricsOutcome> {
  const request = body as MetricsRequest;
  const out: MetricsOutcome = { records: [], rejected: 0, reason: undefined };
  const reject = (count: number, reason: string) => {
    out.rejected += count;
    out.reason ??= reason;
  };
  let points = 0;
  for (const rm of request.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? []) for (const metric of sm.metrics ?? []) points += pointCount(metric);
  if (points > MAX_OTLP_POINTS) {
    throw new AppError('bad_request', `at most ${MAX_OTLP_POINTS} data points per export (this one has ${points})`, {
      path: 'resourceMetrics',
    });
  }
  const pending: Promise<UsageRecord | undefined>[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attributeMap(rm.resource?.attributes);
    const resourceTooBig = attributesTooBig(rm.resource?.attributes?.length ?? 0, resource);
    // The resource is part of every point's series: digested once, not re-serialised per point.
    const resourceId = resourceTooBig ? '' : await idOf(JSON.stringify(canonical(resource)));
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = [sm.scope?.name ?? '', sm.scope?.version ?? ''];
      const scopeTooBig = scope.some((part) => part.length > MAX_OTLP_ATTRIBUTE_CHARS);
      for (const metric of sm.metrics ?? []) {
        if (resourceTooBig || scopeTooBig) {
          reject(pointCount(metric), `at most ${MAX_OTLP_ATTRIBUTES} attributes of ${MAX_OTLP_ATTRIBUTE_CHARS} characters`);
          continue;
        }
        const name = metric.name ?? '';
        const mapping = METRICS.get(name);
        const data = metric.sum ?? metric.histogram;
        const total = pointCount(metric);
        if (!mapping) {
          reject(total, `metric ${name.slice(0, 100)} is not counted by Gas Gauge`);
          continue;
        }
        if (!data || (metric.sum && metric.sum.isMonotonic !== true)) {
          reject(total, `${name}: only monotonic sums and histograms are counted`);
          continue;
        }
        const temporality = data.aggregationTemporality;
        if (temporality !== DELTA && temporality !== CUMULATIVE) {
          reject(total, `${name}: aggregation temporality must be delta or cumulative`);
          continue;
        }
        for (const point of data.dataPoints ?? []) {
          const attrs = attributeMap(point.attributes);
          if (attributesTooBig(point.attributes?.length ?? 0, attrs)) {
            reject(1, `at most ${MAX_OTLP_ATTRIBUTES} attributes of ${MAX_OTLP_ATTRIBUTE_CHARS} characters`);
            continue;
          }
          const record = pointRecord(name, mapping, temporality === DELTA, resource, resourceId, scope, attrs, point, agentId);
          if (typeof record === 'string') reject(1, record);
          else if (record !== null) pending.push(record);
        }
      }
    }
  }
  for (const record of await Promise.all(pending)) if (record) out.records.push(record);
  return out;
}

function pointCount(metric: Metric): number {
  const data = metric.sum ?? metric.histogram ?? metric.gauge ?? metric.exponentialHistogram ?? metric.summary;
  return data?.dataPoints?.length ?? 0;
}

/** A point's usage record, why it is rejected, or null for a kind counted inside another (partsOf). */
function pointRecord(
  name: string,
  mapping: MetricMapping,
  delta: boolean,
  resource: ReadonlyMap<string, string>,
  resourceId: string,
  scope: string[],
  attrs: ReadonlyMap<string, string>,
  point: DataPoint,
  agentId: string | undefined,
): Promise<UsageRecord> | string | null {
  const attr = (key: string) => attrs.get(key) ?? resource.get(key);
  if (mapping.partsOf?.has(attr(mapping.kindAttribute ?? '') ?? '')) return null;
  const amount = mapping.amount ?? mapping.kinds?.get(attr(mapping.kindAttribute ?? '') ?? '');
  if (!amount)
    return `${name}: ${mapping.kindAttribute}="${(attr(mapping.kindAttribute ?? '') ?? '').slice(0, 50)}" is not counted`;
  const raw = point.sum ?? point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt));
  const value = Math.round((raw ?? Number.NaN) * (mapping.scale ?? 1));
  const max = amount === 'costMicrodollars' ? MAX_RECORD_COST_MICRODOLLARS : MAX_RECORD_TOKENS;
  if (!Number.isFinite(value) || value < 0 || value > max) return `${name}: a value must be a number from 0 to ${max}`;
  const time = nanosToMs(point.timeUnixNano);
  const start = point.startTimeUnixNano ?? '0';
  if (time === undefined || time === 0 || time > MAX_EPOCH_MS) return `${name}: a point needs a time_unix_nano before year 2286`;
  const agent = agentId ?? agentOf(attr);
  const model = modelOf(attr);
  const beadId = beadOf(attr);
  if (agent.length > 256 || model.length > 256 || (beadId?.length ?? 0) > 256)
    return `${name}: agent, model and gt.issue are at most 256 characters`;
  // The agent too: a key scoped to an agent must not share a series (and so a record) with another credential's.
  const series = JSON.stringify([resourceId, scope, name, canonical(attrs), agent]);
  const key = delta ? [series, start, point.timeUnixNano] : [series, start];
  return idOf(JSON.stringify(key)).then((id) => ({
    id,
    agentId: agent,
    model,
    provider: providerOf(attr, mapping),
    inputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costMicrodollars: 0,
    [amount]: value,
    at: time,
    mode: delta ? 'delta' : 'cumulative',
    ...(beadId === undefined ? {} : { beadId }),
  }));
}

function nanosToMs(nanos: string | undefined): number | undefined {
  if (nanos === undefined || !/^\d{1,20}$/.test(nanos)) return undefined;
  return Number(BigInt(nanos) / 1_000_000n);
}

/** A usage-record id for a series point: `otlp_` + SHA-256 (so no sender string reaches the id). */
async function idOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `${OTLP_RECORD_PREFIX}${base64url(new Uint8Array(digest))}`;
}
