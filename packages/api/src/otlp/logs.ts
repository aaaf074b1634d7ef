import { MAX_RECORD_COST_MICRODOLLARS, MAX_RECORD_TOKENS, type UsageRecord } from '@gasgauge/core';
import { attributeMap, canonical, type KeyValue } from './attributes.js';
import { type Amount, noAmounts, senderAgentOf, whoOf } from './mapping.js';
import { type ExportOutcome, newOutcome } from './metrics.js';
import { decimal } from './numbers.js';
import {
  attributesTooBig,
  eventMs,
  type Family,
  idOf,
  resourceOf,
  Sources,
  scopeTooBig,
  sessionOf,
  TOO_MANY_ATTRIBUTES,
} from './points.js';

interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  eventName?: string;
  body?: { stringValue?: string };
  attributes?: KeyValue[];
}
interface LogsRequest {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: { scope?: { name?: string; version?: string }; logRecords?: LogRecord[] }[];
  }[];
}

interface LogEvent {
  family: Family;
  provider: string;
  /** Attribute → amount; an absent attribute is 0. */
  amounts: ReadonlyMap<string, Amount>;
  /** Multiplies an amount's value (USD → microdollars). */
  scale?: ReadonlyMap<Amount, number>;
  /** Only records with this `event.kind` count (Codex logs every SSE event; one per response carries the usage). */
  kind?: string;
}

/**
 * The log events that carry spend, by event name (the first of the record's `event_name`, its `event.name`
 * attribute and its body that is one of these: eventNameOf). Cached input (Codex `cached_token_count`) and reasoning
 * (`reasoning_token_count`) are inside input and output, as in `codex.turn.token_usage`, so not added.
 */
const CLAUDE_API_REQUEST: LogEvent = {
  family: 'claude_code',
  provider: 'anthropic',
  amounts: new Map<string, Amount>([
    ['input_tokens', 'inputTokens'],
    ['output_tokens', 'outputTokens'],
    ['cache_read_tokens', 'cacheReadTokens'],
    ['cache_creation_tokens', 'cacheWriteTokens'],
    ['cost_usd', 'costMicrodollars'],
  ]),
  scale: new Map([['costMicrodollars', 1_000_000]]),
};
export const LOG_EVENTS: ReadonlyMap<string, LogEvent> = new Map([
  ['claude_code.api_request', CLAUDE_API_REQUEST],
  ['api_request', CLAUDE_API_REQUEST],
  [
    'codex.sse_event',
    {
      family: 'codex',
      provider: 'openai',
      kind: 'response.completed',
      amounts: new Map<string, Amount>([
        ['input_token_count', 'inputTokens'],
        ['output_token_count', 'outputTokens'],
      ]),
    },
  ],
]);

/**
 * Turns an ExportLogsServiceRequest into delta usage records: one per spend-carrying event, keyed by
 * its `request_id` when it has one (else by its attributes and time), so a retried export counts once.
 * Every record names its sender (points.ts Sources): where the same sender's metrics were counted
 * first, its events are ignored, and the other way round. Other events are accepted and read no further.
 */
export async function logsToRecords(body: unknown, agentId: string | undefined): Promise<ExportOutcome> {
  const request = body as LogsRequest;
  const { out, reject } = newOutcome();
  const pending: Promise<UsageRecord>[] = [];
  const sources = new Sources('logs');
  for (const rl of request.resourceLogs ?? []) {
    // A resource without log records adds nothing, and is not digested (500,000 empty ones took 19 s).
    if (!rl.scopeLogs?.some((sl) => (sl.logRecords?.length ?? 0) > 0)) continue;
    const { resource, tooBig: resourceTooBig, id: resourceId } = await resourceOf(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      const tooBig = resourceTooBig || scopeTooBig([sl.scope?.name ?? '', sl.scope?.version ?? '']);
      for (const log of sl.logRecords ?? []) {
        const attrs = attributeMap(log.attributes);
        const name = eventNameOf(log, attrs);
        const event = name === undefined ? undefined : LOG_EVENTS.get(name);
        if (!name || !event || (event.kind !== undefined && attrs.get('event.kind') !== event.kind)) continue;
        // Codex 0.171 logs each response.completed twice: as an SSE event (no amounts) and with its token counts.
        if (![...event.amounts.keys()].some((key) => attrs.has(key))) continue;
        if (tooBig || attributesTooBig(log.attributes?.length ?? 0, attrs)) {
          reject(1, TOO_MANY_ATTRIBUTES);
          continue;
        }
        const record = logRecord(name, event, resource, resourceId, attrs, log, agentId, sources);
        if (typeof record === 'string') reject(1, record);
        else pending.push(record);
      }
    }
  }
  out.records.push(...(await Promise.all(pending)));
  return out;
}

/**
 * The first of the record's `event_name`, its `event.name` attribute and its body that names an event counted
 * here. Not simply the first one set: Codex (0.171, through tracing-opentelemetry) sets `event_name` to its
 * tracing event's name, `event <file>:<line>` (`event otel/src/events/session_telemetry.rs:1187`), and names the
 * event only in the `event.name` attribute, so taking `event_name` first counted none of its records.
 */
function eventNameOf(log: LogRecord, attrs: ReadonlyMap<string, string>): string | undefined {
  for (const name of [log.eventName, attrs.get('event.name'), log.body?.stringValue])
    if (name !== undefined && LOG_EVENTS.has(name)) return name;
  return undefined;
}

function logRecord(
  name: string,
  event: LogEvent,
  resource: ReadonlyMap<string, string>,
  resourceId: string,
  attrs: ReadonlyMap<string, string>,
  log: LogRecord,
  agentId: string | undefined,
  sources: Sources,
): Promise<UsageRecord> | string {
  const attr = (key: string) => attrs.get(key) ?? resource.get(key);
  const amounts = noAmounts();
  for (const [key, amount] of event.amounts) {
    const text = attrs.get(key);
    if (text === undefined) continue;
    const value = Math.round((decimal(text) ?? Number.NaN) * (event.scale?.get(amount) ?? 1));
    const max = amount === 'costMicrodollars' ? MAX_RECORD_COST_MICRODOLLARS : MAX_RECORD_TOKENS;
    if (!Number.isFinite(value) || value > max)
      return `${name}: ${key} must be a decimal number from 0 to ${max}${amount === 'costMicrodollars' ? ' µ$' : ''}`;
    amounts[amount] = value;
  }
  const time = eventMs(
    log.timeUnixNano && log.timeUnixNano !== '0' ? log.timeUnixNano : log.observedTimeUnixNano,
    'time_unix_nano',
  );
  if (typeof time === 'string') return `${name}: ${time}`;
  const who = whoOf(attr, agentId);
  if (typeof who === 'string') return `${name}: ${who}`;
  const { agent, model, beadId } = who;
  const requestId = attrs.get('request_id');
  const key =
    requestId === undefined
      ? ['log', resourceId, agent, name, canonical(attrs), log.timeUnixNano ?? '', log.observedTimeUnixNano ?? '']
      : ['log', resourceId, agent, event.family, requestId];
  const keys = sources.of(event.family, { map: resource, id: resourceId }, senderAgentOf(attr, agentId), sessionOf(attr));
  return Promise.all([idOf(JSON.stringify(key)), keys]).then(([id, keys]) => ({
    id,
    agentId: agent,
    model,
    provider: event.provider,
    ...amounts,
    at: time,
    mode: 'delta',
    sources: keys,
    ...(beadId === undefined ? {} : { beadId }),
  }));
}
