import type { UsageSource } from '@gasgauge/core';
import { longerThan } from '@gasgauge/core';
import { base64url } from '../auth/user-token.js';
import { MAX_EPOCH_MS, MAX_ID_CHARS, OTLP_RECORD_PREFIX } from '../ingest/schemas.js';
import { sessionSource } from '../ingest/session-keys.js';
import { attributeMap, canonical, type KeyValue } from './attributes.js';

/** Attributes of a resource, point or log record, and the characters of each key and value (and of a scope's name and version). */
export const MAX_OTLP_ATTRIBUTES = 128;
export const MAX_OTLP_ATTRIBUTE_CHARS = 1024;
export const TOO_MANY_ATTRIBUTES = `at most ${MAX_OTLP_ATTRIBUTES} attributes of ${MAX_OTLP_ATTRIBUTE_CHARS} characters`;

export function attributesTooBig(sent: number, map: ReadonlyMap<string, string>): boolean {
  if (sent > MAX_OTLP_ATTRIBUTES) return true;
  for (const [k, v] of map) if (longerThan(k, MAX_OTLP_ATTRIBUTE_CHARS) || longerThan(v, MAX_OTLP_ATTRIBUTE_CHARS)) return true;
  return false;
}

/** A resource's attributes, whether they pass the bounds, and its digest (part of every series id; '' when too big). */
export async function resourceOf(
  attributes: readonly KeyValue[] | undefined,
): Promise<{ resource: Map<string, string>; tooBig: boolean; id: string }> {
  const resource = attributeMap(attributes);
  const tooBig = attributesTooBig(attributes?.length ?? 0, resource);
  return { resource, tooBig, id: tooBig ? '' : await idOf(JSON.stringify(canonical(resource))) };
}

/** A scope's name and version past the attribute bound. */
export function scopeTooBig(scope: readonly string[]): boolean {
  return scope.some((part) => longerThan(part, MAX_OTLP_ATTRIBUTE_CHARS));
}

/**
 * An OTLP time (`fixed64` nanoseconds as a decimal string) in epoch ms, or why it is refused: 0, absent,
 * or past year 2286 (MAX_EPOCH_MS). The decoder saturates a JSON time beyond 2^64 − 1 to 2^64 − 1
 * (decode.ts) rather than letting it wrap, so such a time is refused here too.
 */
export function eventMs(nanos: string | undefined, field: string): number | string {
  if (nanos === undefined || !/^\d{1,20}$/.test(nanos) || BigInt(nanos) === 0n) return `a point needs a ${field}`;
  const ms = BigInt(nanos) / 1_000_000n;
  if (ms > BigInt(MAX_EPOCH_MS)) return `${field} ${nanos.slice(0, 20)} is past year 2286 (at most ${MAX_EPOCH_MS}000000 ns)`;
  return Number(ms);
}

/** A usage-record id for a series point: `otlp_` + SHA-256 (so no sender string reaches the id). */
export async function idOf(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `${OTLP_RECORD_PREFIX}${base64url(new Uint8Array(digest))}`;
}

/** The tools whose metrics and logs describe the same spend (usage-sources.ts in core). */
export type Family = 'claude_code' | 'codex';

/**
 * Resource attributes a tool sets on one signal's resource only, so left out of its sender: Codex builds its
 * metrics' resource apart from its logs', and the two would be two senders, each counted. As Codex 0.171 exports
 * them (api/src/otlp/testing/fixtures/codex-0.171): both have service.name, service.version, env and
 * telemetry.sdk.*; its logs add `host.name`, its metrics `os` and `os_version`.
 */
const ONE_SIGNAL_ONLY: ReadonlyMap<Family, readonly string[]> = new Map([['codex', ['host.name', 'os', 'os_version']]]);

/** A resource as a point or log record is read against: its attributes and their digest (resourceOf). */
export interface ResourceRef {
  map: ReadonlyMap<string, string>;
  id: string;
}

/**
 * The keys a metric point or log record is counted under (core usage-sources.ts), in order:
 * - its *session* (`session.id`, else Codex's `conversation.id`), for the path `otlp` (ingest/session-keys.ts);
 * - its *sender* (one tool, resource and agent, without the session: mapping.ts senderAgentOf), for its signal: its metrics and its logs share it, and the
 *   signal counted first counts its spend alone. Not the session: Codex's `codex.turn.token_usage`
 *   carries no `conversation.id` where its logs do, and Claude Code's metrics drop `session.id` with
 *   OTEL_METRICS_INCLUDE_SESSION_ID=false.
 * One export's points share few senders, so each is digested once per export.
 */
export class Sources {
  private readonly keys = new Map<string, Promise<string>>();

  constructor(private readonly signal: 'metrics' | 'logs') {}

  async of(
    family: Family | undefined,
    resource: ResourceRef,
    agent: string,
    session: string | undefined,
  ): Promise<UsageSource[]> {
    const out: UsageSource[] = [];
    if (session !== undefined && session !== '' && !longerThan(session, MAX_ID_CHARS)) out.push(sessionSource(session, 'otlp'));
    if (family === undefined) return out;
    const seen = JSON.stringify([family, resource.id, agent]);
    let key = this.keys.get(seen);
    if (!key) {
      key = senderKey(family, resource, agent);
      this.keys.set(seen, key);
    }
    out.push({ key: await key, name: this.signal });
    return out;
  }
}

/** A sender's key: its tool, its resource (less what the tool sets on one signal only) and its agent. */
async function senderKey(family: Family, resource: ResourceRef, agent: string): Promise<string> {
  const drop = (ONE_SIGNAL_ONLY.get(family) ?? []).filter((name) => resource.map.has(name));
  // The digest resourceOf takes, of the attributes kept: a resource without them keeps its own.
  const resourceId =
    drop.length === 0
      ? resource.id
      : await idOf(JSON.stringify(canonical(new Map([...resource.map].filter(([name]) => !drop.includes(name))))));
  return idOf(JSON.stringify(['source', family, resourceId, agent]));
}

/** The session an OTLP record names: `session.id` (Claude Code, Gemini CLI), else `conversation.id` (Codex). */
export function sessionOf(attr: (key: string) => string | undefined): string | undefined {
  return attr('session.id') ?? attr('conversation.id');
}
