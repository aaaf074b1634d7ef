import { benchTail, tailBenchRows } from '../packages/reporter/bench/tail-bench.js';
import { progress } from './log.js';
import type { Row } from './report.js';

/**
 * 6. The reporter tailing a generated 1 GiB Claude Code transcript directory once, from empty state, in
 * its own child process (packages/reporter/bench/tail-bench.ts): usage lines/s, and the child's peak RSS.
 * The transcripts are written under `dir` and deleted afterwards.
 */
export async function benchTailRows(dir: string): Promise<Row[]> {
  progress('tail: generating 1 GiB of Claude transcripts, then tailing them');
  const result = await benchTail({ dir, log: (line) => progress(`tail: ${line}`) });
  return tailBenchRows(result);
}
