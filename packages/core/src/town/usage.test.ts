import { fileTown as newTown, usageRecord } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import type { SeriesName } from './timeseries.js';
import type { Town } from './town.js';
import type { UsageRecord } from './usage.js';

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function usage(over: Partial<UsageRecord> & { id: string }): UsageRecord {
  return usageRecord({ at: T0, mode: 'cumulative', ...over });
}

function totals(town: Town, now: number) {
  const ts = town.timeseries({ from: now - 3_600_000, to: now + 5_000, maxPoints: 5000 });
  const sum = (name: SeriesName) => ts.series[name].reduce<number>((a, v) => a + (v ?? 0), 0);
  return { input: sum('input_tokens'), output: sum('output_tokens'), cost: sum('cost_microdollars') };
}

describe('usage ingest', () => {
  it('counts a streamed cumulative message once, at its last totals', () => {
    const now = { t: T0 };
    const town = newTown(now);
    const updates = [10, 50, 50, 120, 300].map((out, i) =>
      usage({ id: 'msg_1', inputTokens: 1000, outputTokens: out, costMicrodollars: out * 15, at: T0 + i * 1000 }),
    );
    now.t = T0 + 10_000;
    expect(town.ingestUsage(updates.slice(0, 3))).toEqual({ accepted: 2, duplicates: 1, ignored: 0, tooOld: 0, skewed: 0 });
    expect(town.ingestUsage(updates.slice(2))).toEqual({ accepted: 2, duplicates: 1, ignored: 0, tooOld: 0, skewed: 0 });
    expect(totals(town, now.t)).toEqual({ input: 1000, output: 300, cost: 4500 });
  });

  it('ignores a cumulative update smaller than what was counted', () => {
    const now = { t: T0 };
    const town = newTown(now);
    town.ingestUsage([usage({ id: 'm', outputTokens: 300 })]);
    expect(town.ingestUsage([usage({ id: 'm', outputTokens: 200 })])).toMatchObject({ accepted: 0, ignored: 1 });
    expect(totals(town, now.t).output).toBe(300);
  });

  it('ignores a cumulative update that names another bead, agent, model or mode: a record keeps its first', () => {
    const now = { t: T0 };
    const town = newTown(now);
    town.ingestUsage([usage({ id: 'm', outputTokens: 300, costMicrodollars: 30, beadId: 'gt-1' })]);
    const grown = { outputTokens: 400, costMicrodollars: 40 };
    for (const other of [
      { beadId: 'gt-2' },
      { beadId: undefined },
      { agentId: 'other' },
      { model: 'other' },
      { mode: 'delta' as const },
    ])
      expect(town.ingestUsage([usage({ id: 'm', beadId: 'gt-1', ...grown, ...other })])).toMatchObject({
        accepted: 0,
        ignored: 1,
      });
    expect(totals(town, now.t).output).toBe(300);
    town.tick();
    expect(town.beads().items.map((b) => [b.beadId, b.costMicrodollars])).toEqual([['gt-1', 30]]);
  });

  it('counts a retried delta batch once', () => {
    const now = { t: T0 };
    const town = newTown(now);
    const batch = [
      usage({ id: 'd1', mode: 'delta', inputTokens: 5, costMicrodollars: 7 }),
      usage({ id: 'd2', mode: 'delta', inputTokens: 6, costMicrodollars: 8 }),
    ];
    expect(town.ingestUsage(batch)).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(town.ingestUsage(batch)).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(totals(town, now.t)).toEqual({ input: 11, output: 0, cost: 15 });
  });

  it('lands a late record in the bucket of its own time, and refuses what is older than any retention', () => {
    const now = { t: T0 };
    const town = newTown(now);
    const lastMonth = T0 - 20 * 86_400_000;
    expect(town.ingestUsage([usage({ id: 'old', outputTokens: 77, at: lastMonth })])).toMatchObject({ accepted: 1 });
    expect(town.ingestUsage([usage({ id: 'ancient', outputTokens: 1, at: T0 - 401 * 86_400_000 })])).toMatchObject({
      accepted: 0,
      tooOld: 1,
    });
    const ts = town.timeseries({ from: lastMonth - 30 * 60_000, to: lastMonth + 30 * 60_000, maxPoints: 60 });
    const i = ts.t.findIndex((t) => t <= lastMonth && lastMonth < t + ts.step);
    expect(ts.series.output_tokens?.[i]).toBe(77);
    expect(ts.series.output_tokens?.filter((v) => v !== null)).toEqual([77]);
  });

  it('clamps a record from the far future to now and reports it as skewed', () => {
    const now = { t: T0 };
    const town = newTown(now);
    expect(town.ingestUsage([usage({ id: 'f', outputTokens: 9, at: T0 + 3_600_000 })])).toMatchObject({
      accepted: 1,
      skewed: 1,
    });
    expect(totals(town, now.t).output).toBe(9);
  });
});

describe('usage sources and partial requests (OTLP)', () => {
  const claude = (name: string) => ({ key: 'session-1', name });

  it('the first signal of a source counts its spend; the other is ignored, in either order', () => {
    for (const order of [
      ['metrics', 'logs'],
      ['logs', 'metrics'],
    ]) {
      const now = { t: T0 + 10_000 };
      const town = newTown(now);
      const [first, second] = order as [string, string];
      const a = town.ingestUsage([usage({ id: `${first}-1`, mode: 'delta', inputTokens: 100, sources: [claude(first)] })]);
      const b = town.ingestUsage([usage({ id: `${second}-1`, mode: 'delta', inputTokens: 100, sources: [claude(second)] })]);
      expect([a.accepted, b.accepted, b.ignored]).toEqual([1, 0, 1]);
      // The first signal keeps counting; another source (another session) is claimed on its own.
      town.ingestUsage([usage({ id: `${first}-2`, mode: 'delta', inputTokens: 5, sources: [claude(first)] })]);
      town.ingestUsage([usage({ id: 'other', mode: 'delta', inputTokens: 7, sources: [{ key: 'session-2', name: second }] })]);
      expect(totals(town, now.t).input).toBe(112);
    }
  });

  it('an owner silent for an hour of event time hands its source over to the other signal', () => {
    const now = { t: T0 + 10_000 };
    const town = newTown(now);
    const rec = (id: string, name: string, at: number) =>
      usage({ id, mode: 'delta', inputTokens: 1, at, sources: [claude(name)] });
    town.ingestUsage([rec('m1', 'metrics', T0 - 3_600_000)]);
    // Within the hour after the owner's last record: ignored; an hour later: the logs take over.
    expect(town.ingestUsage([rec('l1', 'logs', T0 - 1)])).toMatchObject({ accepted: 0, ignored: 1 });
    expect(town.ingestUsage([rec('l2', 'logs', T0)])).toMatchObject({ accepted: 1 });
    expect(town.ingestUsage([rec('m2', 'metrics', T0 + 1)])).toMatchObject({ accepted: 0, ignored: 1 });
    const ts = town.timeseries({ from: T0 - 7_200_000, to: now.t + 5_000, maxPoints: 5000 });
    expect(ts.series.input_tokens.reduce<number>((a, v) => a + (v ?? 0), 0)).toBe(2);
  });

  it('a cumulative series ignored while the other signal counted takes over with its growth only, not its whole total', () => {
    // A process's cumulative metric runs on while its logs count its spend; its logs then fall silent for an
    // hour (an idle session, a broken logs pipeline) and the series takes the sender over: it counted its whole
    // total since the process started, 100 the logs had counted already (found by attack26: 260 for 160).
    const now = { t: T0 + 10_000 };
    const town = newTown(now);
    const sender = (name: string) => [{ key: 'sender-1', name }];
    const series = (inputTokens: number, at: number) =>
      usage({
        id: 'otlp_series',
        mode: 'cumulative',
        inputTokens,
        costMicrodollars: inputTokens * 3,
        at,
        sources: sender('metrics'),
      });
    const log = (id: string, inputTokens: number, at: number) =>
      usage({ id, mode: 'delta', inputTokens, costMicrodollars: inputTokens * 3, at, sources: sender('logs') });
    const H = 3_600_000;
    expect(town.ingestUsage([log('l1', 100, T0 - 3 * H)])).toMatchObject({ accepted: 1 });
    expect(town.ingestUsage([series(100, T0 - 3 * H + 1)])).toMatchObject({ accepted: 0, ignored: 1 });
    // Exported again through the idle hours: still the logs' (within the hour), then the series' at no growth.
    expect(town.ingestUsage([series(100, T0 - 2 * H - 1)])).toMatchObject({ ignored: 1 });
    expect(town.ingestUsage([series(100, T0 - H)])).toMatchObject({ accepted: 0, duplicates: 1 });
    // It grows by 60: 60 more, 160 in all.
    expect(town.ingestUsage([series(160, T0)])).toMatchObject({ accepted: 1 });
    const sum = () => {
      const ts = town.timeseries({ from: T0 - 4 * H, to: now.t + 5_000, maxPoints: 5000 });
      const of = (name: SeriesName) => ts.series[name].reduce<number>((a, v) => a + (v ?? 0), 0);
      return [of('input_tokens'), of('cost_microdollars')];
    };
    expect(sum()).toEqual([160, 480]);

    // The logs back (the series silent for an hour): they count; the series, ignored again, reaches 200 meanwhile;
    // when it takes over once more, only what it grew past 200 counts (not the 40 the logs counted again).
    now.t = T0 + 3 * H;
    expect(town.ingestUsage([log('l2', 40, T0 + H + 1)])).toMatchObject({ accepted: 1 });
    expect(town.ingestUsage([series(200, T0 + H + 2)])).toMatchObject({ ignored: 1 });
    expect(town.ingestUsage([series(205, T0 + 2 * H + 3)])).toMatchObject({ accepted: 1 });
    expect(sum()).toEqual([205, 615]);
  });

  it('a session counts from the path that counted it first; an ignored OTLP record still claims its other keys', () => {
    const now = { t: T0 + 10_000 };
    const session = (name: string) => ({ key: 'session:s1', name });
    const sender = (name: string) => ({ key: 'sender-1', name });
    const otlp = (id: string, signal: string) =>
      usage({ id, mode: 'delta', inputTokens: 10, sources: [session('otlp'), sender(signal)] });
    const rest = (id: string) => usage({ id, mode: 'delta', inputTokens: 1000, sources: [session('rest')] });

    // OTLP first: its metrics count (as Codex's, naming no session), its logs are ignored (the sender's
    // other signal) yet make the session OTLP's, so the transcript posted over REST is ignored too.
    const town = newTown(now);
    const metric = usage({ id: 'm1', mode: 'delta', inputTokens: 10, sources: [sender('metrics')] });
    expect(town.ingestUsage([metric])).toMatchObject({ accepted: 1 });
    expect(town.ingestUsage([otlp('l1', 'logs')])).toMatchObject({ accepted: 0, ignored: 1 });
    expect(town.ingestUsage([rest('t1')])).toMatchObject({ accepted: 0, ignored: 1 });
    expect(totals(town, now.t).input).toBe(10);

    // The transcript first: every OTLP record of that session is ignored; its log still takes the sender for
    // the logs, so the sender's metrics that name no session (Codex's; Claude Code's with
    // OTEL_METRICS_INCLUDE_SESSION_ID=false) do not count the session again (they did: attack12), and the
    // sender's other sessions count from their logs.
    const other = newTown(now);
    expect(other.ingestUsage([rest('t1')])).toMatchObject({ accepted: 1 });
    expect(other.ingestUsage([otlp('l1', 'logs'), otlp('m1', 'metrics')])).toMatchObject({ accepted: 0, ignored: 2 });
    expect(other.ingestUsage([metric])).toMatchObject({ accepted: 0, ignored: 1 });
    const elsewhere = (id: string, signal: string) =>
      usage({ id, mode: 'delta', inputTokens: 7, sources: [{ key: 'session:s2', name: 'otlp' }, sender(signal)] });
    expect(other.ingestUsage([elsewhere('m2', 'metrics')])).toMatchObject({ accepted: 0, ignored: 1 });
    expect(other.ingestUsage([elsewhere('l2', 'logs')])).toMatchObject({ accepted: 1 });
    expect(totals(other, now.t).input).toBe(1007);
  });

  it('partial: a record past an hour bound is refused alone, unwritten, and a retry counts the rest once', () => {
    const now = { t: T0 + 10_000 };
    const town = newTown(now);
    const full = Array.from({ length: 100 }, (_, i) => usage({ id: `fill-${i}`, inputTokens: 1_000_000_000 }));
    expect(town.ingestUsage(full).accepted).toBe(100);
    const records = [
      usage({ id: 'ok', outputTokens: 5 }),
      usage({ id: 'over', inputTokens: 1 }),
      usage({ id: 'later', inputTokens: 3, at: T0 - 3_600_000 }),
    ];
    const job = { kind: 'usage', records, partial: true } as const;
    for (const expected of [
      { accepted: 2, duplicates: 0 },
      { accepted: 0, duplicates: 2 },
    ]) {
      const result = town.ingest([job])[0];
      expect(result).toMatchObject({ ...expected, refused: [{ index: 1, message: expect.stringContaining('per hour') }] });
    }
    const ts = town.timeseries({ from: T0 - 7_200_000, to: now.t + 5_000, maxPoints: 5000 });
    const sum = (name: SeriesName) => ts.series[name].reduce<number>((a, v) => a + (v ?? 0), 0);
    expect([sum('input_tokens'), sum('output_tokens')]).toEqual([100_000_000_003, 5]);
    // Without partial the same record fails its whole request (the usage API).
    expect(
      town.ingest([{ kind: 'usage', records: [usage({ id: 'x', outputTokens: 1 }), records[1] as UsageRecord] }])[0],
    ).toBeInstanceOf(Error);
  });

  it('partial: an update refused by an hour bound does not date its record earlier either', () => {
    const now = { t: T0 + 10_000 };
    const town = newTown(now);
    const firstAt = () => town.sql.rows("SELECT first_at FROM usage_records WHERE id = 'grow'")[0]?.[0];
    expect(town.ingestUsage([usage({ id: 'grow', inputTokens: 1 })]).accepted).toBe(1);
    // The hour before is full; an update of 'grow' dated in it is refused, and 'grow' keeps its date.
    const earlier = T0 - 1_800_000;
    const full = Array.from({ length: 100 }, (_, i) => usage({ id: `fill-${i}`, inputTokens: 1_000_000_000, at: earlier }));
    expect(town.ingestUsage(full).accepted).toBe(100);
    const job = { kind: 'usage', records: [usage({ id: 'grow', inputTokens: 2, at: earlier })], partial: true } as const;
    expect(town.ingest([job])[0]).toMatchObject({ accepted: 0, refused: [{ index: 0 }] });
    expect(firstAt()).toBe(T0);
    // A stale copy dated earlier (it adds nothing, so no bound refuses it) does date it earlier.
    expect(town.ingest([{ ...job, records: [usage({ id: 'grow', inputTokens: 1, at: earlier })] }])[0]).toMatchObject({
      duplicates: 1,
    });
    expect(firstAt()).toBe(earlier);
  });
});
