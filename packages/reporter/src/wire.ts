/**
 * The records the ingest API takes, as the API's own schemas declare them (docs/api.md explains them).
 * Type-only imports: nothing of the server's packages is loaded at run time.
 */
import type { LocReportInput, TownEventInput, UsageRecordInput } from '@gasgauge/api';

/** The reporter always sends all five token counts. */
export type UsageRecord = UsageRecordInput & { reasoningTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
export type LocReport = LocReportInput;
export type TownEvent = TownEventInput;
export type AgentStatus = Extract<TownEvent, { type: 'agent' }>['status'];
export type BeadStatus = Extract<TownEvent, { type: 'bead' }>['status'];

/** The three things the outbox holds, each with the route it goes to and the body key it is sent under. */
export type RecordKind = 'usage' | 'loc' | 'event';

export const ROUTES: Record<RecordKind, { path: string; key: 'records' | 'agents' | 'events' }> = {
  usage: { path: 'usage', key: 'records' },
  loc: { path: 'loc', key: 'agents' },
  event: { path: 'events', key: 'events' },
};

/** Server bounds (packages/api/src/ingest/schemas.ts): ids are 1..256 characters. */
export const MAX_ID_LENGTH = 256;
/** Server bound (packages/api/src/ingest/schemas.ts): an event's or record's `at` is epoch ms from 0 to this (year 2286). */
export const MAX_EPOCH_MS = 10_000_000_000_000;
