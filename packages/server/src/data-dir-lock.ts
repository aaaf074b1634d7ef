import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDatabasePrivate } from './private-files.js';

/** The file whose lock a server (or a restore) holds on its data dir, as long as it runs. */
export const LOCK_FILE = 'serve.lock';

/** Another server, or a restore, holds the data dir. */
export class DataDirInUseError extends Error {
  constructor(root: string) {
    super(
      `a gasgauge server (or restore) is running on ${root}; stop it first, or pass another --data DIR (the CLI's other commands work beside a running server)`,
    );
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data dir for this process alone, or throws DataDirInUseError. Two servers on one data dir
 * would both tick every town and send every alert twice, and the second one's exit removed the first
 * one's server.json, so `gasgauge restore --force` then deleted the databases under a running server.
 *
 * The lock is a SQLite exclusive transaction left open on LOCK_FILE: the operating system drops it
 * when the process exits, however it exits, so a crash never leaves a stale lock (a pid in a file
 * would, and a restarted container reuses pids). SQLite also keeps two connections of one process
 * apart, so a second server in the same process is refused as well.
 */
export function lockDataDir(root: string): DataDirLock {
  const file = join(root, LOCK_FILE);
  makeDatabasePrivate(file);
  const db = new Database(file, { timeout: 0 });
  try {
    // The journal in memory: a -journal file beside it would make an empty data dir look used (restore).
    db.pragma('journal_mode = MEMORY');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(root);
    throw err;
  }
  return { release: () => db.close() };
}

/**
 * Root taking another user's data dir (`sudo gasgauge restore`, `sudo gasgauge serve` on the service's
 * /var/lib/gasgauge) would leave files only root can open (mode 600): that user's server then failed to
 * start with a bare EACCES. Refused before anything is made, naming the owner to run as.
 */
export function refuseRootInOthersDir(root: string): void {
  if (process.geteuid?.() !== 0) return;
  let uid: number;
  try {
    uid = statSync(root).uid;
  } catch {
    return; // made by this process as it goes: root's own
  }
  if (uid === 0) return;
  const name = userName(uid);
  throw new Error(
    `${root} belongs to ${name === undefined ? `uid ${uid}` : `user ${name} (uid ${uid})`}, and this runs as root: the files it made would be root's, which that user's server cannot open. Run it as that user${name === undefined ? '' : ` (sudo -u ${name} gasgauge …)`}`,
  );
}

/** A user's name from /etc/passwd, if it is there. */
export function userName(uid: number): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , id] = line.split(':');
      if (name && id === String(uid)) return name;
    }
  } catch {}
  return undefined;
}

/**
 * What a permission refusal on a file of another user's means, or undefined: `EACCES: permission denied,
 * open '…/control.sqlite'` alone did not say that the file was root's (a `sudo` command's) and the
 * command ran as the service's user, nor what to run instead.
 */
export function permissionHint(err: unknown, dataDir: string): string | undefined {
  const e = err as NodeJS.ErrnoException;
  if ((e?.code !== 'EACCES' && e?.code !== 'EPERM') || typeof e.path !== 'string') return undefined;
  const me = process.geteuid?.();
  let uid: number;
  try {
    uid = statSync(e.path).uid;
  } catch {
    return undefined;
  }
  if (me === undefined || uid === me) return undefined;
  const owner = userName(uid);
  const self = userName(me);
  return `it belongs to ${owner === undefined ? `uid ${uid}` : `user ${owner}`}, not to ${self ?? `uid ${me}`}, who runs this: when ${self ?? 'this user'} runs the server, give it back its data dir (chown -R ${self ?? me} ${dataDir}) and run every command as ${self ?? 'it'}`;
}
