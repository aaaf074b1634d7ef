import {
  type ActivityRecord,
  MAX_ACTIVITY_VALUE,
  MAX_RECORD_COST_MICRODOLLARS,
  MAX_RECORD_TOKENS,
  type UsageRecord,
} from '@gasgauge/core';
import { attributeMap, canonical, type KeyValue } from './attributes.js';
import {
  ACTIVITY_METRICS,
  type ActivityMapping,
  METRICS,
  type MetricMapping,
  noAmounts,
  providerOf,
  senderAgentOf,
  whoOf,
} from './mapping.js';
import { attributesTooBig, eventMs, idOf, resourceOf, Sources, scopeTooBig, sessionOf, TOO_MANY_ATTRIBUTES } from './points.js';

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
  exponentialHistogram?: { dataPoints?: DataPoint[]; aggregationTemporality?: number };
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

/** What an export (metrics or logs) gives the town: its usage and activity records, and the points or log records rejected. */
export interface ExportOutcome {
  records: UsageRecord[];
  activity: ActivityRecord[];
  rejected: number;
  /** Why the first rejected point was rejected (OTLP's `error_message`). */
  reason: string | undefined;
}

/** An empty outcome, and how a rejection is counted into it (the first reason is kept). */
export function newOutcome(): { out: ExportOutcome; reject: (count: number, reason: string) => void } {
  const out: ExportOutcome = { records: [], activity: [], rejected: 0, reason: undefined };
  const reject = (count: number, reason: string) => {
    out.rejected += count;
    out.reason ??= reason;
  };
  return { out, reject };
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
export async function metricsToRecords(body: unknown, agentId: string | undefined): Promise<ExportOutcome> {
  const request = body as MetricsRequest;
  const { out, reject } = newOutcome();
  const pending: Promise<UsageRecord>[] = [];
  const activity: Promise<ActivityRecord>[] = [];
  const sources = new Sources('metrics');
  for (const rm of request.resourceMetrics ?? []) {
    // A resource without points adds nothing, and is not digested: 500,000 empty ones (2 bytes each) took 19 s.
    if (!rm.scopeMetrics?.some((sm) => sm.metrics?.some((metric) => pointCount(metric) > 0))) continue;
    // The resource is part of every point's series: digested once, not re-serialised per point.
    const { resource, tooBig: resourceTooBig, id: resourceId } = await resourceOf(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      const scope = [sm.scope?.name ?? '', sm.scope?.version ?? ''];
      const tooBig = resourceTooBig || scopeTooBig(scope);
      for (const metric of sm.metrics ?? []) {
        if (tooBig) {
          reject(pointCount(metric), TOO_MANY_ATTRIBUTES);
          continue;
        }
        const name = metric.name ?? '';
        const mapping = METRICS.get(name);
        const activityMapping = ACTIVITY_METRICS.get(name);
        const data = metric.sum ?? metric.histogram ?? metric.exponentialHistogram;
        const total = pointCount(metric);
        // A metric Gas Gauge does not count (Gas Town's own gt.* counters, a tool's other metrics) is accepted and read no
        // further, as logs' other events are: counted as rejected, it made every export a partial success, which the
        // OpenTelemetry SDKs log as a warning on each export (Go: otel.Handle to stderr; JS: diag.warn).
        if (!mapping && !activityMapping) continue;
        // Tokens the same meter counts in another metric (Gemini CLI's gen_ai.client.token.usage): accepted, not counted.
        if (mapping?.repeatedIn?.has(scope[0] ?? '')) continue;
        if (!data || (metric.sum && metric.sum.isMonotonic !== true)) {
          reject(total, `${name}: only monotonic sums and (exponential) histograms are counted`);
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
            reject(1, TOO_MANY_ATTRIBUTES);
            continue;
          }
          const input: PointInput = { name, delta: temporality === DELTA, resource, resourceId, scope, attrs, point, agentId };
          if (mapping) {
            const record = pointRecord(input, mapping, sources);
            if (typeof record === 'string') reject(1, record);
            else if (record !== null) pending.push(record);
          } else {
            const record = activityPoint(input, activityMapping as ActivityMapping);
            if (typeof record === 'string') reject(1, record);
            else activity.push(record);
          }
        }
      }
    }
  }
  out.records.push(...(await Promise.all(pending)));
  out.activity.push(...(await Promise.all(activity)));
  return out;
}

function pointCount(metric: Metric): number {
  const data = metric.sum ?? metric.histogram ?? metric.gauge ?? metric.exponentialHistogram ?? metric.summary;
  return data?.dataPoints?.length ?? 0;
}

/** One data point with what it is read against: its metric's name and temporality, resource, scope and credential. */
interface PointInput {
  name: string;
  delta: boolean;
  resource: ReadonlyMap<string, string>;
  resourceId: string;
  scope: string[];
  attrs: ReadonlyMap<string, string>;
  point: DataPoint;
  agentId: string | undefined;
}

/** What every counted point needs: its time, agent, model and record id; or why it is rejected. */
interface PointBasics {
  attr: (name: string) => string | undefined;
  time: number;
  agent: string;
  model: string;
  /** `gt.issue`: the bead the point's usage is for. */
  beadId: string | undefined;
  id: Promise<string>;
}

function pointBasics({ name, delta, resource, resourceId, scope, attrs, point, agentId }: PointInput): PointBasics | string {
  const attr = (key: string) => attrs.get(key) ?? resource.get(key);
  const time = eventMs(point.timeUnixNano, 'time_unix_nano');
  if (typeof time === 'string') return `${name}: ${time}`;
  const start = point.startTimeUnixNano ?? '0';
  if (start !== '0' && typeof eventMs(start, 'start_time_unix_nano') === 'string')
    return `${name}: start_time_unix_nano ${start.slice(0, 20)} is past year 2286`;
  const who = whoOf(attr, agentId);
  if (typeof who === 'string') return `${name}: ${who}`;
  const { agent, model, beadId } = who;
  // The agent too: a key scoped to an agent must not share a series (and so a record) with another credential's.
  const series = JSON.stringify([resourceId, scope, name, canonical(attrs), agent]);
  const key = delta ? [series, start, point.timeUnixNano] : [series, start];
  return { attr, time, agent, model, beadId, id: idOf(JSON.stringify(key)) };
}

/** A point's value times `scale`, rounded, if it is a number from 0 to `max`. */
function pointValue(point: DataPoint, scale: number, max: number): number | undefined {
  const raw = point.sum ?? point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt));
  const value = Math.round((raw ?? Number.NaN) * scale);
  return Number.isFinite(value) && value >= 0 && value <= max ? value : undefined;
}

/**
 * Why a value is refused, with the bound in the unit the metric is sent in (what pointValue compares is the
 * value times `scale`): a cost in USD is at most 10000, not "10000000000", the bound in microdollars.
 */
function outOfRange(max: number, scale = 1): string {
  return `a value must be a number from 0 to ${max / scale}`;
}

/** A point's usage record, why it is rejected, or null for a kind counted inside another (partsOf). */
function pointRecord(input: PointInput, mapping: MetricMapping, sources: Sources): Promise<UsageRecord> | string | null {
  const { name, delta, resource, resourceId, attrs, point } = input;
  const kind = attrs.get(mapping.kindAttribute ?? '') ?? resource.get(mapping.kindAttribute ?? '') ?? '';
  if (mapping.partsOf?.has(kind)) return null;
  const amount = mapping.amount ?? mapping.kinds?.get(kind);
  if (!amount) return `${name}: ${mapping.kindAttribute}="${kind.slice(0, 50)}" is not counted`;
  const max = amount === 'costMicrodollars' ? MAX_RECORD_COST_MICRODOLLARS : MAX_RECORD_TOKENS;
  const value = pointValue(point, mapping.scale ?? 1, max);
  if (value === undefined) return `${name}: ${outOfRange(max, mapping.scale)}`;
  const p = pointBasics(input);
  if (typeof p === 'string') return p;
  const sender = senderAgentOf(p.attr, input.agentId);
  const keys = sources.of(mapping.family, { map: resource, id: resourceId }, sender, sessionOf(p.attr));
  return Promise.all([p.id, keys]).then(([id, keys]) => ({
    id,
    agentId: p.agent,
    model: p.model,
    provider: providerOf(p.attr, mapping),
    ...noAmounts(),
    [amount]: value,
    at: p.time,
    mode: delta ? 'delta' : 'cumulative',
    sources: keys,
    ...(p.beadId === undefined ? {} : { beadId: p.beadId }),
  }));
}

/** A point's activity record, or why it is rejected. */
function activityPoint(input: PointInput, mapping: ActivityMapping): Promise<ActivityRecord> | string {
  const { name, delta, attrs, point } = input;
  const type = attrs.get(mapping.kindAttribute ?? '') ?? '';
  const kind = mapping.kind ?? mapping.kinds?.get(type);
  if (!kind) return `${name}: ${mapping.kindAttribute}="${type.slice(0, 50)}" is not counted`;
  const value = pointValue(point, mapping.scale ?? 1, MAX_ACTIVITY_VALUE);
  if (value === undefined) return `${name}: ${outOfRange(MAX_ACTIVITY_VALUE, mapping.scale)}`;
  const p = pointBasics(input);
  if (typeof p === 'string') return p;
  return p.id.then((id) => ({ id, agentId: p.agent, kind, value, at: p.time, mode: delta ? 'delta' : 'cumulative' }));
}
