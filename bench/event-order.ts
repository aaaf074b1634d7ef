import { join } from 'node:path';
import { Town, type TownEvent } from '@gasgauge/core';
import { openSqlite } from '@gasgauge/server';
import { progress } from './log.js';
import type { Row } from './report.js';
import { fmtMs } from './stats.js';

const EVENTS_PER_REQUEST = 5000;
const REQUESTS = 4;

/**
 * One agent's `agent` events (a bead each), EVENTS_PER_REQUEST a request, REQUESTS requests, oldest first or newest
 * first: ingested in-process into a town of its own (a real SQLite file). Milliseconds of the costliest request.
 */
let towns = 0;

function ingestMs(dir: string, newestFirst: boolean): number {
  const at0 = Date.UTC(2026, 10, 1);
  const sql = openSqlite(join(dir, `events-${towns++}.sqlite`));
  const town = new Town(sql, () => at0 + 86_400_000);
  const total = EVENTS_PER_REQUEST * REQUESTS;
  let worst = 0;
  for (let k = 0; k < REQUESTS; k++) {
    const events: TownEvent[] = [];
    for (let i = 0; i < EVENTS_PER_REQUEST; i++) {
      const n = k * EVENTS_PER_REQUEST + i;
      const step = newestFirst ? total - n : n;
      events.push({ id: `e${n}`, at: at0 + step * 10, type: 'agent', agentId: 'a1', status: 'working', beadId: `b${n % 50}` });
    }
    const started = performance.now();
    town.ingestEvents(events);
    worst = Math.max(worst, performance.now() - started);
  }
  sql.close();
  return worst;
}

/**
 * 3c. Agent events that arrive newest first, against the same events oldest first: a per-event statement whose
 * work grows with what the agent has already sent (every queued move read, attack 14) made each request of 5,000
 * cost seconds, held the one event loop, and grew with every request. The ratio keeps arrival order from mattering.
 */
export function eventOrderRow(dir: string): Row {
  progress('agent events newest first vs oldest first');
  const oldest = Math.min(ingestMs(dir, false), ingestMs(dir, false));
  const newest = Math.min(ingestMs(dir, true), ingestMs(dir, true));
  const ratio = newest / oldest;
  return {
    name: 'Agent events newest first vs oldest first (ingest)',
    value: `${ratio.toFixed(2)}×`,
    target: '≤ 2×',
    pass: ratio <= 2,
    detail: `${REQUESTS} requests of ${EVENTS_PER_REQUEST} \`agent\` events of one agent, each naming a bead, in-process into a fresh town, costliest request (least of 2 runs): newest first ${fmtMs(newest)}, oldest first ${fmtMs(oldest)}`,
  };
}
