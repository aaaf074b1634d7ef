import { backfillBenchRows, benchBackfill } from '../packages/reporter/bench/backfill-bench.js';
import { progress } from './log.js';
import type { Row } from './report.js';

/**
 * 8. Issue 11's backfill race: the installed `gasgauge report --once` against ccusage 20.0.24 on one
 * generated ~300 MB Claude tree, delivered to a real `gasgauge serve`; a second `--once` on the unchanged
 * tree; a running reporter idle over 10,000 unchanged files (packages/reporter/bench/backfill-bench.ts).
 */
export async function benchBackfillRows(dir: string, bin: string): Promise<Row[]> {
  progress('backfill: generating ~300 MB of Claude transcripts, then ccusage and gasgauge report --once on them');
  const result = await benchBackfill({ dir, gasgauge: [bin], log: (line) => progress(`backfill: ${line}`) });
  return backfillBenchRows(result);
}
