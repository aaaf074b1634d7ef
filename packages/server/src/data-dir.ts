import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dirProblem } from '@gasgauge/core/dir-problem';
import { makeDirs } from '@gasgauge/reporter/make-dirs';
import { userName } from './data-dir-lock.js';
import { makePrivate, PRIVATE_DIR_MODE } from './private-files.js';

/** server.json as a server wrote it (any field may be missing or wrong: the file is read, not trusted). */
interface ServerFile {
  url?: unknown;
  publicUrl?: unknown;
  pid?: unknown;
  /** When that process started (processStart): tells the server from a later process given its pid. */
  pidStart?: unknown;
  keyId?: unknown;
  keyFrom?: unknown;
}

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/PID/stat), or undefined where
 * there is no /proc or no such process. The field count starts after the command name's closing
 * parenthesis: the name itself may hold spaces and parentheses.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The data dir cannot be created: said in the user's terms (which dir, why, what to pass), not as a bare errno. */
export class DataDirError extends Error {
  constructor(root: string, cause: NodeJS.ErrnoException) {
    // Another user's data dir (`gasgauge serve --data /var/lib/gasgauge` run as oneself, not as the service's user):
    // "pass --data DIR, a directory this user can write" sent them to make a second, empty data dir.
    const others = cause.code === 'EACCES' || cause.code === 'EPERM' ? othersDir(root) : undefined;
    super(
      others === undefined
        ? `cannot use ${root} as the data dir (${dirProblem(cause)}); pass --data DIR, a directory this user can write`
        : `cannot use the data dir ${root}: permission denied${others}`,
      { cause },
    );
    this.name = 'DataDirError';
  }
}

/**
 * When `root` exists and is another user's: whose it is and to run the command as that user, as one clause
 * (" (it belongs to user gasgauge, mode 700); run the command as that user (sudo -u gasgauge gasgauge …)").
 */
export function othersDir(root: string): string | undefined {
  let dir: ReturnType<typeof statSync>;
  try {
    dir = statSync(root);
  } catch {
    return undefined;
  }
  if (dir.uid === process.geteuid?.()) return undefined;
  const name = userName(dir.uid);
  return ` (it belongs to ${name === undefined ? `uid ${dir.uid}` : `user ${name}`}, mode ${(dir.mode & 0o777).toString(8)}); run the command as that user${name === undefined ? '' : ` (sudo -u ${name} gasgauge …)`}`;
}

/**
 * Whether the data dir holds a control database. One this user may not read (the service's 700 /var/lib/gasgauge, a
 * command run as oneself rather than as the service's user) is refused saying so: it used to read as "control.sqlite
 * is missing", a data dir that seemed lost. So is a --data that is a file.
 */
export function hasControlDatabase(root: string): boolean {
  try {
    statSync(join(root, 'control.sqlite'));
    return true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOTDIR') throw new DataDirError(root, e); // a file: said as serve says it
    if (e.code !== 'EACCES' && e.code !== 'EPERM') return false;
    let what = '; run the command as the user the server runs as';
    try {
      const mode = (statSync(root).mode & 0o777).toString(8);
      what = othersDir(root) ?? ` (mode ${mode}); make it this user's to read and write again (chmod 700 ${root})`;
    } catch {}
    throw new Error(`cannot read the data dir ${root}: permission denied${what}`, { cause: err });
  }
}

/**
 * A short name of an ingest-token signing key, not the key: a running server writes it to server.json so
 * `gasgauge token mint` can tell that it would sign with another key (GASGAUGE_SECRET set for one and not the other).
 */
export function signingKeyId(key: Uint8Array): string {
  return createHash('sha256').update('gasgauge signing key id\0').update(key).digest('hex').slice(0, 16);
}

/**
 * A town's file name under `towns/`. Town ids come from the control database (or a backup's manifest);
 * the check keeps a path out of the data dir regardless.
 */
export function townFileName(townId: unknown): string {
  if (typeof townId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(townId))
    throw new Error(`invalid town id for a file name: ${String(townId)}`);
  return `${townId}.sqlite`;
}

/** Where restore copies and checks a backup, inside the data dir (one file system, so the moves into place are renames). */
export const RESTORE_STAGING = '.restore-staging';
/** In RESTORE_STAGING while restore replaces the data dir's files (it holds the backup's path); gone once all are in place. */
const RESTORE_REPLACING = 'replacing';

/** Marks a data dir as being replaced by the restore of `from`, until the restore's staging dir is removed. */
export function markRestoreReplacing(root: string, from: string): void {
  writeFileSync(join(root, RESTORE_STAGING, RESTORE_REPLACING), from, { mode: 0o600 });
}

/**
 * A restore killed (or the machine down) while it moved the backup's files in leaves some towns restored and
 * the rest, or the control database, missing: a server started there made a new control database (a new admin,
 * its towns' files orphaned) and a command read half of one. Refused, saying how to finish it.
 */
export function refuseCutRestore(root: string): void {
  let from: string;
  try {
    from = readFileSync(join(root, RESTORE_STAGING, RESTORE_REPLACING), 'utf8');
  } catch {
    return;
  }
  throw new Error(
    `a restore into ${root} was cut off while it moved the backup's files in, so the data dir is half replaced: finish it with gasgauge restore --from ${from} --data ${root} --force`,
  );
}

/** What a data dir holds: Gas Gauge's own files, and a file system's lost+found when it is a mount point. */
const DATA_DIR_ENTRIES = new Set([
  'control.sqlite',
  'control.sqlite-wal',
  'control.sqlite-shm',
  'secret.key',
  'server.json',
  'serve.lock',
  'towns',
  RESTORE_STAGING,
  'lost+found',
]);

/** A directory open to other users that holds their files too: making it private (700) would take it from them. */
export class SharedDataDirError extends Error {
  constructor(root: string, mode: number, other: string) {
    super(
      `${root} is open to other users (mode ${mode.toString(8)}) and holds files that are not Gas Gauge's (${other}); a data dir is made private (700), which would take it from them: pass --data DIR, a new or dedicated directory`,
    );
    this.name = 'SharedDataDirError';
  }
}

/**
 * `--data ~` or `--data /tmp` (a typo, a wrong working dir) made a home or /tmp 0700, dropping /tmp's
 * sticky bit too. A dir already private, or holding only Gas Gauge's files, is made private as before.
 */
export function refuseShared(root: string): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(root);
  } catch {
    return; // a new dir, or one mkdir refuses with its own message
  }
  if (!st.isDirectory()) return;
  const mode = st.mode & 0o7777;
  if ((mode & 0o077) === 0) return;
  const other = readdirSync(root).find((e) => !DATA_DIR_ENTRIES.has(e));
  if (other !== undefined) throw new SharedDataDirError(root, mode, other);
}

/** Where one deployment keeps everything: the control database, one file per town, the signing key. */
export class DataDir {
  readonly root: string;
  constructor(dir: string) {
    this.root = resolve(dir);
    refuseShared(this.root);
    try {
      makeDirs(join(this.root, 'towns'), PRIVATE_DIR_MODE);
    } catch (err) {
      throw new DataDirError(this.root, err as NodeJS.ErrnoException);
    }
    for (const d of [this.root, join(this.root, 'towns')]) makePrivate(d, PRIVATE_DIR_MODE);
  }

  get controlFile(): string {
    return join(this.root, 'control.sqlite');
  }

  /** Where a running server writes its URL, so `gasgauge login-link` prints a link to the right port. */
  get serverFile(): string {
    return join(this.root, 'server.json');
  }

  /**
   * `url` is where it listens; `publicUrl` where browsers reach it (the same without `--public-url`);
   * `keyId` names the key it checks ingest tokens with (signingKeyId), `keyFrom` where that key came from.
   */
  writeServerUrl(url: string, publicUrl: string, key?: { keyId: string; keyFrom: 'env' | 'file' }): { remove(): void } {
    const pidStart = processStart(process.pid);
    writeFileSync(this.serverFile, `${JSON.stringify({ url, publicUrl, pid: process.pid, pidStart, ...key })}\n`, {
      mode: 0o600,
    });
    return {
      remove: () => {
        // Another server may have started on this data dir since: its file stays.
        if (this.readServerFile().url === url) rmSync(this.serverFile, { force: true });
      },
    };
  }

  /** The running server's URL for links: its public URL, else where it listens. */
  serverUrl(): string | undefined {
    const { url, publicUrl } = this.readServerFile();
    return typeof publicUrl === 'string' ? publicUrl : typeof url === 'string' ? url : undefined;
  }

  /**
   * Whether the server that wrote server.json still runs: `false` when there is no such file, or its process
   * is gone (a crash or `kill -9` leaves the file behind), `undefined` when it cannot be told.
   */
  serverRunning(): boolean | undefined {
    const { pid, pidStart } = this.readServerFile();
    if (!existsSync(this.serverFile)) return false;
    if (typeof pid !== 'number') return undefined;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      // EPERM: a process of another user has that pid; the start time below still tells whether it is the server.
    }
    // A crash leaves server.json behind, and its pid may since belong to another process (a restarted
    // container's pid 1, a busy machine): that process started at another time.
    if (typeof pidStart === 'string') {
      const now = processStart(pid);
      if (now !== undefined && now !== pidStart) return false;
    }
    return true;
  }

  /**
   * Why an ingest token signed here (with `env`) would be refused by the server running on this data dir, or
   * undefined: it signs with another key when GASGAUGE_SECRET is set for it and not here, here and not for
   * it, or to another value. Checked before this process makes a secret.key the server does not read.
   */
  signingKeyMismatch(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (this.serverRunning() !== true) return undefined;
    const { keyId, keyFrom } = this.readServerFile();
    if (typeof keyId !== 'string') return undefined; // a server from before keyId
    const here = env.GASGAUGE_SECRET !== undefined;
    const file = join(this.root, 'secret.key');
    // Neither: this process would make a new secret.key, which is not the server's key.
    const mine = here || existsSync(file) ? signingKeyId(this.secret(env)) : undefined;
    if (mine === keyId) return undefined;
    const refused = 'a token minted here would be refused (401 "invalid ingest token")';
    const server = `the server running on ${this.root}`;
    if (keyFrom === 'env') {
      return here
        ? `${server} signs ingest tokens with another GASGAUGE_SECRET than the one set here: ${refused}; set its value here`
        : `${server} signs ingest tokens with the GASGAUGE_SECRET of its environment, and none is set here: ${refused}; set the same GASGAUGE_SECRET here`;
    }
    return here
      ? `${server} signs ingest tokens with ${file}, not with the GASGAUGE_SECRET set here: ${refused}; unset GASGAUGE_SECRET, or restart the server with it`
      : `${server} signs ingest tokens with the ${file} it read at its start, which has changed since: ${refused}; restart the server`;
  }

  private readServerFile(): ServerFile {
    try {
      return JSON.parse(readFileSync(this.serverFile, 'utf8')) as ServerFile;
    } catch {
      return {};
    }
  }

  townFile(townId: string): string {
    return join(this.root, 'towns', townFileName(townId));
  }

  /**
   * The HS256 key for ingest tokens: GASGAUGE_SECRET when set (at least 32 characters), else a
   * random key generated once into `secret.key` with mode 0600, shared by the server and the CLI.
   */
  secret(env: NodeJS.ProcessEnv = process.env): Uint8Array {
    const fromEnv = env.GASGAUGE_SECRET;
    if (fromEnv !== undefined) {
      if (fromEnv.length < 32) throw new Error('GASGAUGE_SECRET must be at least 32 characters');
      return new TextEncoder().encode(fromEnv);
    }
    const file = join(this.root, 'secret.key');
    if (!existsSync(file)) {
      const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
      try {
        writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        // Another process (the CLI beside a starting server) wrote it first: use theirs.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    chmodSync(file, 0o600);
    return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
  }
}
