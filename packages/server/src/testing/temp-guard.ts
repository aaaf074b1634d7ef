import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Vitest globalSetup. The run gets its own TMPDIR (inherited by test workers and the server and
 * reporter processes they start), so runs beside each other on one machine never see each other's
 * dirs; at the end the run fails if a test left a `gg-*` dir behind (use `tempDir` from
 * `@gasgauge/server/testing`, which removes them).
 */
export function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'gasgauge-test-run-'));
  const previous = process.env.TMPDIR;
  // For what runs must share (the web build lock): the machine's temp dir.
  process.env.GASGAUGE_SHARED_TMPDIR = tmpdir();
  process.env.TMPDIR = root;
  return () => {
    delete process.env.GASGAUGE_SHARED_TMPDIR;
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    const left = readdirSync(root).filter((name) => name.startsWith('gg-'));
    rmSync(root, { recursive: true, force: true });
    if (left.length > 0) {
      // Vitest reports an error thrown here but still exits 0, so set the exit code as well.
      process.exitCode = 1;
      throw new Error(
        `tests left ${left.length} temp dir(s) behind: ${left.join(', ')} (make them with tempDir from @gasgauge/server/testing)`,
      );
    }
  };
}
