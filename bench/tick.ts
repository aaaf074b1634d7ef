import { mkdirSync } from 'node:fs';
import type { Town, TownEvent } from '@gasgauge/core';
import { DataDir, FileTownDirectory } from '@gasgauge/server';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtInt, fmtMs, mean, percentile } from './stats.js';

const TOWNS = 1000;
const ROUNDS = 5;
const AGENT_STATUSES = ['working', 'working', 'idle', 'waiting', 'stalled', 'dead'] as const;
const BEAD_STATUSES = ['open', 'in_progress', 'in_progress', 'in_review', 'blocked', 'closed'] as const;

/** A few agents, beads and lines-of-code reports, through the town's own ingest. */
function seed(town: Town, i: number, now: number): void {
  const agents = 3 + (i % 4);
  const events: TownEvent[] = [];
  for (let a = 0; a < agents; a++) {
    const status = AGENT_STATUSES[(i + a) % AGENT_STATUSES.length] as (typeof AGENT_STATUSES)[number];
    events.push({ id: `ev-a-${a}`, at: now - 60_000 + a, type: 'agent', agentId: `agent-${a}`, role: 'polecat', status });
  }
  for (let b = 0; b < 4 + (i % 7); b++) {
    const status = BEAD_STATUSES[(i + b) % BEAD_STATUSES.length] as (typeof BEAD_STATUSES)[number];
    events.push({ id: `ev-b-${b}`, at: now - 50_000 + b, type: 'bead', beadId: `bead-${b}`, status, title: `task ${b}` });
  }
  town.ingestEvents(events);
  town.ingestLoc(
    Array.from({ length: agents }, (_, a) => ({ agentId: `agent-${a}`, additions: 40 * a + i, deletions: 7 * a, files: a + 1 })),
  );
}

/** 4. One tick of each of 1,000 towns (own SQLite file each), several rounds 5 s apart on the towns' clock. */
export function benchTick(dir: string): Row[] {
  mkdirSync(dir, { recursive: true });
  const now = { t: Date.now() };
  // Every town stays open (this row measures the tick itself; bench/scale.ts measures it through the LRU).
  const towns = new FileTownDirectory(new DataDir(dir), () => now.t, { maxOpen: TOWNS });
  try {
    const all: Town[] = [];
    for (let i = 0; i < TOWNS; i++) {
      const town = towns.get(`tick-${String(i).padStart(4, '0')}`);
      seed(town, i, now.t);
      all.push(town);
      if ((i + 1) % 200 === 0) progress(`tick: created and seeded ${i + 1} of ${TOWNS} towns`);
    }
    const perTick: number[] = [];
    const perRound: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      now.t += 5_000;
      const roundStart = performance.now();
      for (const town of all) {
        const t0 = performance.now();
        town.tick();
        if (round > 0) perTick.push(performance.now() - t0);
      }
      const roundMs = performance.now() - roundStart;
      progress(`tick: round ${round}${round === 0 ? ' (warm-up)' : ''} ${fmtMs(roundMs)} for ${TOWNS} towns`);
      if (round > 0) perRound.push(roundMs / TOWNS);
    }
    const avg = mean(perTick);
    return [
      {
        name: 'Tick, 1,000 towns (one SQLite file each), mean per town',
        value: fmtMs(avg),
        target: '≤ 0.5 ms',
        pass: avg <= 0.5,
        detail: `${ROUNDS} rounds × ${fmtInt(TOWNS)} after a warm-up round; p50 ${fmtMs(percentile(perTick, 50))}, p95 ${fmtMs(
          percentile(perTick, 95),
        )}, best round ${fmtMs(Math.min(...perRound))}/town`,
      },
    ];
  } finally {
    towns.close();
  }
}
