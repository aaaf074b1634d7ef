import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A full GC on demand without `node --expose-gc` on the command line (`npm run bench` runs through tsx):
// the flag set at run time exposes `gc` in contexts created after it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The process's RSS in MiB after a full garbage collection: without it, a collection that happened
 * to run between two samples (freeing an earlier bench's garbage) made a growth read as -236 MiB.
 */
export function settledRssMiB(): number {
  gc();
  gc(); // the second frees what the first's finalizers released
  return process.memoryUsage().rss / 2 ** 20;
}

/** Resets the kernel's high-water RSS of this process (VmHWM), so peakRssMiB covers only what follows; false where unsupported. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** The process's peak RSS in MiB (VmHWM in /proc/self/status), since it started or the last resetPeakRss. */
export function peakRssMiB(): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}
