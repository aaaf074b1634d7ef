import { execFile } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * CI runs `npm test` as root, and no file mode denies root (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): a test of what
 * is said about a path that cannot be read (chmod 000) was skipped there, so CI never ran it. Instead, the part that
 * must be denied runs in a child process, and when the tests run as root that child runs as this unprivileged user
 * (nobody), through spawn's uid and gid (libuv then also drops the supplementary groups, as `setpriv --clear-groups`
 * does). Not root: undefined, and the child runs as the current user, whom mode 000 denies already.
 *
 * The child reads node, the checkout and its node_modules as any user does (a checkout in a home only root may enter
 * cannot be run so), and the test's temp paths once `shareWithUnprivileged` gave them; tsx keeps no cache for it (its
 * cache dir would be in TMPDIR, the run's, which is root's).
 */
export const UNPRIVILEGED = process.geteuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

/** The checkout (where `tsx` resolves from). */
const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));

/** Options for spawning a child as UNPRIVILEGED when root, as the current user otherwise. */
export function unprivilegedOptions(): { uid?: number; gid?: number; env: NodeJS.ProcessEnv } {
  if (UNPRIVILEGED === undefined) return { env: process.env };
  checkoutSearchable();
  return { ...UNPRIVILEGED, env: { ...process.env, TSX_DISABLE_CACHE: '1' } };
}

/** A checkout that UNPRIVILEGED cannot enter fails its children with a bare EACCES: said as that instead. */
function checkoutSearchable(): void {
  for (let dir = ROOT; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0)
      throw new Error(
        `uid ${UNPRIVILEGED?.uid} cannot search ${dir}, so it cannot run the checkout ${ROOT}: as root, the tests of paths of mode 000 run that part as that user; put the checkout where any user may read it`,
      );
    if (dir === dirname(dir)) return;
  }
}

/**
 * Lets UNPRIVILEGED use a test's `paths` (nothing when not root): each becomes its own (so it may make a state dir
 * in a directory, or read a token file of mode 600; a path of mode 000 still denies its owner), and each directory
 * above it in the run's TMPDIR may be searched by others (o+x, no listing): tempDir makes them 700. One above TMPDIR
 * that others cannot search is an error, not changed.
 */
export function shareWithUnprivileged(...paths: string[]): void {
  if (UNPRIVILEGED === undefined) return;
  const tmp = resolve(tmpdir());
  for (const path of paths) {
    chownSync(path, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
    for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) {
        if (relative(tmp, dir).startsWith('..')) throw new Error(`uid ${UNPRIVILEGED.uid} cannot search ${dir}, above ${tmp}`);
        chmodSync(dir, (mode & 0o7777) | 0o001);
      }
      if (dir === dirname(dir)) break;
    }
  }
}

/**
 * Runs `code`, an ES module's text (it may import the checkout's .ts files by absolute path or URL), in a child
 * `node` with tsx, as UNPRIVILEGED when root (see above); what it printed on stdout, parsed as JSON.
 */
export async function inUnprivilegedChild<T>(code: string): Promise<T> {
  const opts = unprivilegedOptions();
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      ...opts,
      cwd: ROOT,
    });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`the child (uid ${opts.uid ?? process.getuid?.()}) failed: ${e.message}\n${e.stderr ?? ''}`);
  }
}
