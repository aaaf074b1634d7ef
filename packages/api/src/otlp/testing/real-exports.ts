import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OTLP } from '../schema.js';

/**
 * OTLP exports captured from the real agent CLIs (fixtures/README.md says which, and how): each fixture directory
 * holds the request bodies one CLI sent, in the order it sent them, named `NN-logs.pb`, `NN-metrics.json`, ….
 */
export const REAL_EXPORTS = fileURLToPath(new URL('./fixtures/', import.meta.url));

export interface RealExport {
  /** `01-logs.pb`. */
  name: string;
  path: '/v1/logs' | '/v1/metrics';
  contentType: 'application/x-protobuf' | 'application/json';
  body: Uint8Array;
}

const TIME_FIELDS = new Set(['timeUnixNano', 'startTimeUnixNano', 'observedTimeUnixNano']);

function times(value: unknown, visit: (holder: Record<string, unknown>, key: string, nanos: bigint) => void): void {
  if (Array.isArray(value)) for (const v of value) times(v, visit);
  else if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) {
      if (TIME_FIELDS.has(k) && (typeof v === 'string' || typeof v === 'number') && BigInt(v) > 0n) visit(o, k, BigInt(v));
      else times(v, visit);
    }
  }
}

/**
 * The exports of one fixture directory, as the CLI sent them but moved in time so that the last of them is
 * `endMs` (default: a minute ago): every time field is shifted by the same amount, so a series keeps its start
 * times and the order of its points, and the export lands in a town's last hour. Bodies are decoded and encoded
 * again in their own encoding (protobuf or OTLP JSON) to shift them; nothing else of them changes.
 */
export function realExports(dir: string, endMs = Date.now() - 60_000): RealExport[] {
  const root = join(REAL_EXPORTS, dir);
  const files = readdirSync(root)
    .filter((f) => /^\d\d-(logs|metrics)\.(pb|json)$/.test(f))
    .sort();
  const decoded = files.map((name) => {
    const logs = name.includes('-logs.');
    const type = logs ? OTLP.logsRequest : OTLP.metricsRequest;
    const json = name.endsWith('.json');
    const bytes = readFileSync(join(root, name));
    const object = json
      ? (JSON.parse(bytes.toString('utf8')) as unknown)
      : type.toObject(type.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false, arrays: true });
    return { name, logs, type, json, object };
  });
  let last = 0n;
  for (const d of decoded)
    times(d.object, (_, __, nanos) => {
      if (nanos > last) last = nanos;
    });
  const shift = BigInt(endMs) * 1_000_000n - last;
  return decoded.map(({ name, logs, type, json, object }) => {
    times(object, (holder, key, nanos) => {
      holder[key] = String(nanos + shift);
    });
    return {
      name,
      path: logs ? '/v1/logs' : '/v1/metrics',
      contentType: json ? 'application/json' : 'application/x-protobuf',
      body: json ? new TextEncoder().encode(JSON.stringify(object)) : type.encode(type.fromObject(object as object)).finish(),
    };
  });
}

/** What an export's answer says was refused: '' when every point or record was taken. */
export function refusedIn(e: RealExport, answer: Uint8Array): string {
  const type = e.path === '/v1/logs' ? OTLP.logsResponse : OTLP.metricsResponse;
  const o =
    e.contentType === 'application/json'
      ? (JSON.parse(new TextDecoder().decode(answer)) as { partialSuccess?: unknown })
      : (type.toObject(type.decode(answer), { longs: String, defaults: false }) as { partialSuccess?: unknown });
  return o.partialSuccess === undefined ? '' : JSON.stringify(o.partialSuccess);
}

/** The resource attributes of every resource in an export, each as `key=value` strings sorted. */
export function resourcesOf(e: RealExport): string[][] {
  const type = e.path === '/v1/logs' ? OTLP.logsRequest : OTLP.metricsRequest;
  const o = (
    e.contentType === 'application/json'
      ? JSON.parse(new TextDecoder().decode(e.body))
      : type.toObject(type.decode(e.body), { longs: String, defaults: false, arrays: true })
  ) as Record<string, { resource?: { attributes?: { key: string; value: Record<string, unknown> }[] } }[]>;
  const list = o.resourceLogs ?? o.resourceMetrics ?? [];
  return list.map((r) => (r.resource?.attributes ?? []).map((a) => `${a.key}=${JSON.stringify(a.value)}`).sort());
}

/** A town's totals of one model: tokens by type and cost in microdollars, as its Prometheus counters say. */
export interface ModelTotals {
  input: number;
  output: number;
  reasoning: number;
  cache_read: number;
  cache_write: number;
  cost: number;
}

/** The totals per model in a town's Prometheus text (its counters summed over agents); models with none left out. */
export function totalsByModel(prometheusText: string): Record<string, ModelTotals> {
  const out: Record<string, ModelTotals> = {};
  const of = (model: string) => {
    out[model] ??= { input: 0, output: 0, reasoning: 0, cache_read: 0, cache_write: 0, cost: 0 };
    return out[model];
  };
  for (const line of prometheusText.split('\n')) {
    const tokens = line.match(/^gasgauge_tokens_total\{agent="[^"]*",model="([^"]*)",type="(\w+)"\} (\d+)$/);
    if (tokens) of(tokens[1] as string)[tokens[2] as keyof ModelTotals] += Number(tokens[3]);
    const cost = line.match(/^gasgauge_cost_microdollars_total\{agent="[^"]*",model="([^"]*)"\} (\d+)$/);
    if (cost) of(cost[1] as string).cost += Number(cost[2]);
  }
  for (const [model, t] of Object.entries(out)) if (Object.values(t).every((v) => v === 0)) delete out[model];
  return out;
}
