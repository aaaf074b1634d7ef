import { fileTown } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { type ActivityRecord, MAX_ACTIVITY_TOTAL, MAX_ACTIVITY_VALUE } from './activity.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const record = (id: string, value: number): ActivityRecord => ({
  id,
  agentId: 'a',
  kind: 'commits',
  value,
  at: T0,
  mode: 'delta',
});
const commits = (town: ReturnType<typeof fileTown>) => town.totals().activity.find(([kind]) => kind === 'commits')?.[1];

describe('activity totals since the town began', () => {
  it('add exactly, and stop at the largest exact integer instead of rounding past it', () => {
    const town = fileTown({ t: T0 });
    town.ingest([{ kind: 'activity', records: [record('r1', 3), record('r2', MAX_ACTIVITY_VALUE)] }]);
    expect(commits(town)).toBe(MAX_ACTIVITY_VALUE + 3);

    // Near the bound (millions of records of a billion each, with no hourly bound on activity).
    town.sql.run("UPDATE activity_totals SET value = ? WHERE kind = 'commits'", MAX_ACTIVITY_TOTAL - 5);
    town.ingest([{ kind: 'activity', records: [record('r3', 4)] }]);
    expect(commits(town)).toBe(MAX_ACTIVITY_TOTAL - 1);
    town.ingest([{ kind: 'activity', records: [record('r4', MAX_ACTIVITY_VALUE), record('r5', MAX_ACTIVITY_VALUE)] }]);
    expect(commits(town)).toBe(MAX_ACTIVITY_TOTAL);
    expect(Number.isSafeInteger(commits(town))).toBe(true);
  });
});
