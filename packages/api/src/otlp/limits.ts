import { AppError } from '@gasgauge/core';
import { scanJson } from '../http/json-depth.js';

/*
 * Bounds on what one export may hold, counted as protobufjs builds each message (both encodings: the
 * wire decoder and the JSON `fromObject` go through the same types), so a body packed with millions of
 * 2-byte messages is refused after the first bound's worth of work, not after 1 MiB of objects. Every
 * message of the body is built twice more when it passes (`toObject`, then read), so the total is the
 * bound that keeps an export's CPU linear in what a real exporter sends.
 */

/**
 * Messages of any type in one export. A real 1 MiB protobuf export holds 55,000 to 71,000 (Claude Code's
 * api_request logs, its metrics from 1,000 agents: limits.test.ts), so this leaves twice that.
 */
export const MAX_OTLP_MESSAGES = 150_000;
/**
 * Values (objects, lists, strings, numbers, …) in one OTLP JSON body: an attribute is four (its object, key,
 * value object and scalar); a real 1 MiB JSON export holds about 65,000, so this leaves twice that. It
 * bounds the body's objects, each a message, by as much as MAX_OTLP_MESSAGES.
 */
export const MAX_OTLP_JSON_VALUES = 150_000;
/**
 * Data points (or log records) per export, as records per usage batch; and resources, scopes and metrics
 * per export, since each is worth sending only when it holds one.
 */
export const MAX_OTLP_POINTS = 5000;
/** Attributes in one list (of a resource, scope, point or log record): 8× the bound past which a point is rejected. */
export const MAX_OTLP_LIST_ATTRIBUTES = 1024;
/** AnyValues nested in arrays and key-value lists: exporters send flat attributes and string bodies. */
export const MAX_OTLP_VALUE_DEPTH = 16;

/** How a message type counts: the bound it is under and the field named when it is passed. */
type Counted = 'resources' | 'scopes' | 'metrics' | 'points';
const COUNTED: ReadonlyMap<string, Counted> = new Map<string, Counted>([
  ['ResourceLogs', 'resources'],
  ['ResourceMetrics', 'resources'],
  ['ScopeLogs', 'scopes'],
  ['ScopeMetrics', 'scopes'],
  ['Metric', 'metrics'],
  ['LogRecord', 'points'],
  ['NumberDataPoint', 'points'],
  ['HistogramDataPoint', 'points'],
  ['ExponentialHistogramDataPoint', 'points'],
  ['Opaque', 'points'],
]);
const NESTING: ReadonlySet<string> = new Set(['ArrayValue', 'KeyValueList']);

/** The request's own fields, named in its errors (one request type per signal). */
const FIELDS = {
  logs: { resources: 'resourceLogs', scopes: 'scopeLogs', metrics: 'metrics', points: 'resourceLogs' },
  metrics: { resources: 'resourceMetrics', scopes: 'scopeMetrics', metrics: 'metrics', points: 'resourceMetrics' },
} as const;
const WHAT = { logs: 'log records', metrics: 'data points' } as const;

class Budget {
  messages = 0;
  depth = 0;
  readonly counts: Record<Counted, number> = { resources: 0, scopes: 0, metrics: 0, points: 0 };

  constructor(readonly signal: 'logs' | 'metrics') {}

  /** Counts one message of `type` about to be built; refuses the export past a bound. */
  enter(type: string): void {
    if (++this.messages > MAX_OTLP_MESSAGES)
      refuse('body', `at most ${MAX_OTLP_MESSAGES} messages (attributes, values, records, …) per export`);
    const counted = COUNTED.get(type);
    if (counted === undefined) return;
    if (++this.counts[counted] > MAX_OTLP_POINTS) {
      const what = counted === 'points' ? WHAT[this.signal] : counted;
      refuse(FIELDS[this.signal][counted], `at most ${MAX_OTLP_POINTS} ${what} per export`);
    }
  }
}

function refuse(path: string, message: string): never {
  throw new AppError('bad_request', message, { path });
}

/**
 * Refuses an OTLP JSON body holding more than MAX_OTLP_JSON_VALUES values before it is parsed: JSON.parse
 * builds every object before anything can count them (1 MiB of `{},` is 350,000 objects and took 0.6 s
 * with the reviver and `fromObject`); and, as every JSON body, one nested past MAX_JSON_DEPTH (the reviver
 * recurses: 30,000 levels ran it out of stack, a 400 that named the stack, not the body's depth).
 */
export function boundJsonText(bytes: Uint8Array): void {
  if (scanJson(bytes) > MAX_OTLP_JSON_VALUES) refuse('body', `at most ${MAX_OTLP_JSON_VALUES} JSON values per export`);
}

/** The export being decoded: decoding is synchronous, so one at a time. */
let current: Budget | undefined;

/** Runs `decode` (a whole request's decode or fromObject) under a fresh budget. */
export function bounded<T>(signal: 'logs' | 'metrics', decode: () => T): T {
  current = new Budget(signal);
  try {
    return decode();
  } finally {
    current = undefined;
  }
}

type Build = (...args: never[]) => unknown;

/**
 * `build` (a type's generated decode or fromObject) counted against the current export's budget; outside
 * an export (an answer's own fromObject) it runs as generated.
 */
export function counted<F extends Build>(type: string, build: F): F {
  const nesting = NESTING.has(type);
  const wrapped = (...args: Parameters<F>) => {
    const budget = current;
    if (budget === undefined) return build(...args);
    budget.enter(type);
    if (nesting && ++budget.depth > MAX_OTLP_VALUE_DEPTH)
      refuse(type === 'ArrayValue' ? 'arrayValue' : 'kvlistValue', `values nest at most ${MAX_OTLP_VALUE_DEPTH} deep`);
    const message = build(...args) as { attributes?: unknown[] };
    if (nesting) budget.depth--;
    if ((message.attributes?.length ?? 0) > MAX_OTLP_LIST_ATTRIBUTES)
      refuse('attributes', `at most ${MAX_OTLP_LIST_ATTRIBUTES} attributes in one list`);
    return message;
  };
  return wrapped as F;
}
