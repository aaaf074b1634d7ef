import {
  AGENT_STATUSES,
  BEAD_STATUSES,
  MAX_ACTIVITY_VALUE,
  MAX_RECORD_COST_MICRODOLLARS,
  MAX_RECORD_TOKENS,
  SYSTEM_EVENT_PREFIX,
} from '@gasgauge/core';
import { z } from 'zod';
import { jsonBytes, jsonDepth, MAX_NOTE_DATA_BYTES, MAX_NOTE_DATA_DEPTH } from './json-bounds.js';

/** Per-record bounds; with the per-hour bounds the town applies (core bounds.ts) they keep every sum exact. */
const MAX_LINES = 1_000_000_000;
export const MAX_USAGE_RECORDS = 5000;
export const MAX_EVENTS = 5000;
export const MAX_LOC_AGENTS = 5000;
/** Epoch ms up to the year 2286: rules out seconds-for-milliseconds and other unit mistakes at the far end. */
export const MAX_EPOCH_MS = 10_000_000_000_000;

/** Every id, name and session of an ingest body: 1 to this many characters (docs/api.md, Limits). */
export const MAX_ID_CHARS = 256;
const id = z.string().min(1).max(MAX_ID_CHARS);
const count = (max: number) => z.number().int().nonnegative().max(max);
const epochMs = z.number().int().nonnegative().max(MAX_EPOCH_MS);

/** Usage record ids starting with `otlp_` are the OTLP receiver's (digests of a series): no client may forge one. */
export const OTLP_RECORD_PREFIX = 'otlp_';

/** A usage record's fields but its id: every route's records are held to them (usageRecord, otlpUsageRecord). */
const usageFields = {
  agentId: id,
  model: id,
  provider: id.optional(),
  inputTokens: count(MAX_RECORD_TOKENS),
  outputTokens: count(MAX_RECORD_TOKENS),
  reasoningTokens: count(MAX_RECORD_TOKENS).default(0),
  cacheReadTokens: count(MAX_RECORD_TOKENS).default(0),
  cacheWriteTokens: count(MAX_RECORD_TOKENS).default(0),
  costMicrodollars: count(MAX_RECORD_COST_MICRODOLLARS),
  at: epochMs,
  mode: z.enum(['cumulative', 'delta']).default('cumulative'),
  /** The bead the usage was for; without it, the bead the agent worked on at `at` (agent events). */
  beadId: id.optional(),
  /** The agent CLI session the usage is of, as its OTLP export names it (`session.id`, Codex's `conversation.id`). */
  session: id.optional(),
};

export const usageRecord = z.strictObject({
  id: id.refine((v) => !v.startsWith(OTLP_RECORD_PREFIX), `ids starting with "${OTLP_RECORD_PREFIX}" are reserved for OTLP`),
  ...usageFields,
});

/**
 * A usage record the OTLP receiver built from a point or log record: the bounds of a posted one (its agent, model
 * and provider come from the sender's attributes, which may be empty or 1,024 characters), with the receiver's own
 * id and the sources it is counted under.
 */
export const otlpUsageRecord = z.object({ id: id.startsWith(OTLP_RECORD_PREFIX), ...usageFields });

/** An activity record the OTLP receiver built (core activity.ts): its agent an id, its value an integer amount. */
export const otlpActivityRecord = z.object({
  id: id.startsWith(OTLP_RECORD_PREFIX),
  agentId: id,
  value: count(MAX_ACTIVITY_VALUE),
  at: epochMs,
});

export const usageBody = z.strictObject({
  records: z.array(usageRecord).min(1).max(MAX_USAGE_RECORDS),
});

export const locBody = z.strictObject({
  agents: z
    .array(
      z.strictObject({
        agentId: id,
        additions: count(MAX_LINES),
        deletions: count(MAX_LINES),
        files: count(MAX_LINES).optional(),
      }),
    )
    .min(1)
    .max(MAX_LOC_AGENTS),
});

const text = z.string().max(1000);

/** A note's free-form JSON: depth checked before anything walks it recursively, then its size. */
const noteData = z.unknown().superRefine((value, ctx) => {
  if (jsonDepth(value, MAX_NOTE_DATA_DEPTH) > MAX_NOTE_DATA_DEPTH)
    ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_NOTE_DATA_DEPTH} levels` });
  else if (jsonBytes(value) > MAX_NOTE_DATA_BYTES)
    ctx.addIssue({ code: 'custom', message: `larger than ${MAX_NOTE_DATA_BYTES} bytes as JSON` });
});

/** An event id; the server's own prefix is reserved, so a reporter can never collide with a budget event. */
const eventId = id.refine(
  (v) => !v.startsWith(SYSTEM_EVENT_PREFIX),
  `ids starting with "${SYSTEM_EVENT_PREFIX}" are reserved for the server's own events`,
);

export const townEvent = z.discriminatedUnion('type', [
  z.strictObject({
    id: eventId,
    at: epochMs,
    type: z.literal('agent'),
    agentId: id,
    role: id.optional(),
    status: z.enum(AGENT_STATUSES),
    beadId: id.optional(),
  }),
  z.strictObject({
    id: eventId,
    at: epochMs,
    type: z.literal('bead'),
    beadId: id,
    status: z.enum(BEAD_STATUSES),
    kind: id.optional(),
    title: text.optional(),
    assigneeAgentId: id.optional(),
    parentId: id.optional(),
  }),
  // Parsed JSON already (z.unknown, bounded by noteData): z.json() would rebuild it and drop a "__proto__" key.
  z.strictObject({ id: eventId, at: epochMs, type: z.literal('note'), name: id, data: noteData.optional() }),
]);

export const eventsBody = z.strictObject({
  events: z.array(townEvent).min(1).max(MAX_EVENTS),
});

/** What reporters send (the wire types, defaults optional): the reporter imports these as types only. */
export type UsageRecordInput = z.input<typeof usageRecord>;
export type LocReportInput = z.input<typeof locBody>['agents'][number];
export type TownEventInput = z.input<typeof townEvent>;
