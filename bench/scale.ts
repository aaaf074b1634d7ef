import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataDir, DEFAULT_MAX_OPEN_TOWNS, FileTownDirectory } from '@gasgauge/server';
import { progress } from './log.js';
import { peakRssMiB, resetPeakRss, settledRssMiB } from './memory.js';
import type { Row } from './report.js';
import { fmtDelta, fmtInt, fmtMs, mean, percentile } from './stats.js';

const TOWNS = 10_000;
const COLD_SAMPLE = 300;

const fds = () => readdirSync('/proc/self/fd').length;

/** Opens and reads `ids` one after another, each evicted since its last use: cold-open latency per town. */
function coldOpens(towns: FileTownDirectory, ids: string[]): number[] {
  return ids.map((id) => {
    const t0 = performance.now();
    towns.get(id).throughput();
    return performance.now() - t0;
  });
}

/**
 * 7. 10,000 towns in one process through the LRU of open towns (FileTownDirectory, 256 open as `serve`
 * defaults): each created and given an ingest of agent and lines-of-code events; then the process's
 * RSS (after a full GC, and its peak) and descriptors, one tick of every town (most reopened: the tick cost a host pays when its
 * active towns outnumber the open ones), a tick of the 256 open ones, and cold-open latency on tmpfs
 * and on disk.
 */
export function benchScale(dir: string): Row[] {
  // tmpfs for the 10,000 towns when there is one: closing a town that took writes checkpoints its WAL
  // with fsyncs (~20 ms each on a slow shared disk); the disk's cold opens are measured separately.
  const shm = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/gg-bench-scale-') : join(dir, 'scale');
  mkdirSync(shm, { recursive: true });
  const now = { t: Date.now() };
  const fdsBefore = fds();
  const rssBefore = settledRssMiB();
  const peakReset = resetPeakRss();
  const towns = new FileTownDirectory(new DataDir(shm), () => now.t);
  const disk = new FileTownDirectory(new DataDir(join(dir, 'scale-disk')), () => now.t);
  try {
    const ids = Array.from({ length: TOWNS }, (_, i) => `scale-${String(i).padStart(5, '0')}`);
    const created = performance.now();
    for (const [i, id] of ids.entries()) {
      const town = towns.get(id);
      town.ingestEvents([{ id: 'ev-a', at: now.t - 1000, type: 'agent', agentId: 'a1', role: 'polecat', status: 'working' }]);
      town.ingestLoc([{ agentId: 'a1', additions: i % 100, deletions: 3 }]);
      if ((i + 1) % 2000 === 0) progress(`scale: created and seeded ${i + 1} of ${TOWNS} towns`);
    }
    const createMs = (performance.now() - created) / TOWNS;
    const fdsOpen = fds() - fdsBefore;
    const peak = peakRssMiB();
    const rssAfter = settledRssMiB();

    now.t += 5_000;
    const perTick: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      towns.get(id).tick();
      perTick.push(performance.now() - t0);
    }
    const warm = ids.slice(-DEFAULT_MAX_OPEN_TOWNS);
    now.t += 5_000;
    const warmTick = warm.map((id) => {
      const t0 = performance.now();
      towns.get(id).tick();
      return performance.now() - t0;
    });
    progress(`scale: ticked ${TOWNS} towns, mean ${fmtMs(mean(perTick))}`);

    const cold = coldOpens(towns, ids.slice(0, COLD_SAMPLE));
    const diskIds = Array.from({ length: DEFAULT_MAX_OPEN_TOWNS + COLD_SAMPLE }, (_, i) => `disk-${i}`);
    for (const id of diskIds) disk.get(id).ingestLoc([{ agentId: 'a1', additions: 1, deletions: 1 }]);
    const diskCold = coldOpens(disk, diskIds.slice(0, COLD_SAMPLE));
    const maxFds = 3 * DEFAULT_MAX_OPEN_TOWNS;
    return [
      {
        name: `${fmtInt(TOWNS)} towns, LRU of ${DEFAULT_MAX_OPEN_TOWNS} open: descriptors and memory`,
        value: `${fmtInt(fdsOpen)} fds, ${fmtDelta(rssAfter - rssBefore)} MiB RSS`,
        target: `≤ ${fmtInt(maxFds)} fds`,
        pass: fdsOpen <= maxFds,
        detail: `after creating and seeding every town (${fmtMs(createMs)}/town, from the template file); descriptors the towns hold (3 per open town); RSS change after a full GC (the bench process: ${fmtInt(rssBefore)} → ${fmtInt(rssAfter)} MiB), peak ${fmtInt(peak)} MiB ${peakReset ? 'while creating them' : 'since the process started'}`,
      },
      {
        name: `Tick, ${fmtInt(TOWNS)} towns through an LRU of ${DEFAULT_MAX_OPEN_TOWNS}, mean per town`,
        value: fmtMs(mean(perTick)),
        target: '—',
        pass: null,
        detail: `one round, each town reopened (97% of them) then ticked; p50 ${fmtMs(percentile(perTick, 50))}, p95 ${fmtMs(
          percentile(perTick, 95),
        )}; the ${DEFAULT_MAX_OPEN_TOWNS} open towns tick in ${fmtMs(mean(warmTick))} each`,
      },
      {
        name: 'Cold open of a closed town (open + throughput), p50',
        value: `${fmtMs(percentile(cold, 50))} tmpfs, ${fmtMs(percentile(diskCold, 50))} disk`,
        target: '—',
        pass: null,
        detail: `${COLD_SAMPLE} towns each; p95 ${fmtMs(percentile(cold, 95))} tmpfs, ${fmtMs(percentile(diskCold, 95))} disk (includes closing the least recently used town, which checkpoints its WAL)`,
      },
    ];
  } finally {
    towns.close();
    disk.close();
    rmSync(shm, { recursive: true, force: true });
  }
}
