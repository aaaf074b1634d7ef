/**
 * How long a town's first open after the upgrade to migration 12 takes, with N usage records (default
 * 500,000; GG_M12_RECORDS), on a real SQLite file: the town is filled and ticked at the current schema,
 * migration 12 (and 13, which follows it) is taken back out, and the town is opened again. Then each tick
 * until nothing is pending, and a beads.list read before and after.
 * Run: npx tsx bench/migration12.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError, Town } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server';
import { usageRecord } from '@gasgauge/server/testing';

const N = Number(process.env.GG_M12_RECORDS ?? 500_000);
const AGENTS = 50;
const BATCH = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'gg-m12-'));
const file = join(dir, 'town.sqlite');
const now = { t: Date.now() };
const span = 5 * 86_400_000;
try {
  let town = new Town(openSqlite(file), () => now.t);
  town.ingestEvents(
    Array.from({ length: AGENTS * 20 }, (_, i) => ({
      id: `e${i}`,
      at: now.t - span + Math.floor((i / (AGENTS * 20)) * span),
      type: 'agent' as const,
      agentId: `agent-${i % AGENTS}`,
      status: 'working' as const,
      beadId: `bead-${i % 300}`,
    })),
  );
  for (let b = 0; b < N; b += BATCH) {
    town.ingestUsage(
      Array.from({ length: Math.min(BATCH, N - b) }, (_, j) => {
        const i = b + j;
        return usageRecord({
          id: `r${i}`,
          agentId: `agent-${i % AGENTS}`,
          at: now.t - span + Math.floor((i / N) * span),
          inputTokens: 100 + (i % 7),
          outputTokens: 10,
          costMicrodollars: 5 + (i % 11),
        });
      }),
    );
  }
  let ticks = 0;
  for (;;) {
    town.tick();
    ticks++;
    const [[pending]] = town.sql.rows(
      'SELECT COUNT(*) FROM usage_records WHERE rowid > (SELECT bead_applied_upto FROM town_state)',
    ) as [[number]];
    if (pending === 0 && ticks > 1) break;
  }
  for (const t of [
    'bead_applied',
    'bead_hours',
    'bead_totals',
    'bead_dirty',
    'bead_moves',
    'agent_minutes',
    'runaway_window_spans',
    'runaway_window',
    'usage_grand_total',
  ])
    town.sql.run(`DROP TABLE ${t}`);
  town.sql.run('DROP INDEX usage_totals_by_size');
  town.sql.run('ALTER TABLE town_state DROP COLUMN bead_applied_upto');
  town.sql.run('DELETE FROM schema_migrations WHERE version >= 12');
  (town.sql as unknown as { close(): void }).close();
  const t0 = performance.now();
  town = new Town(openSqlite(file), () => now.t);
  const openMs = performance.now() - t0;
  console.log(`records ${N}: first open after the upgrade (migrations 12, 13) ${openMs.toFixed(0)} ms`);
  // A bead read is a 503 while more than a tick's worth is pending (beads/backlog.ts): say so, with its time.
  const read = () => {
    const r0 = performance.now();
    try {
      town.beads({ limit: 50 });
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'unavailable')) throw err;
      return `503 catching up in ${(performance.now() - r0).toFixed(0)} ms`;
    }
    return `${(performance.now() - r0).toFixed(0)} ms`;
  };
  const pending = () =>
    (
      town.sql.rows('SELECT COUNT(*) FROM usage_records WHERE rowid > (SELECT bead_applied_upto FROM town_state)') as [[number]]
    )[0][0];
  console.log(`pending after open ${pending()}, beads.list (all time, 50) ${read()}`);
  const tickTimes: number[] = [];
  for (let i = 0; i < 200 && pending() > 0; i++) {
    const t = performance.now();
    now.t += 5_000;
    town.tick();
    tickTimes.push(performance.now() - t);
  }
  console.log(
    `ticks to catch up: ${tickTimes.length}, longest ${Math.max(0, ...tickTimes).toFixed(0)} ms; beads.list after ${read()}`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
