import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  existsSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { CONTROL_MIGRATIONS, type Migration, migrate, plural, TOWN_MIGRATIONS } from '@gasgauge/core';
import { dirProblem } from '@gasgauge/core/dir-problem';
import { makeDirs } from '@gasgauge/reporter/make-dirs';
import { canonicalPath } from '@gasgauge/reporter/paths';
import Database from 'better-sqlite3';
import { DiskFullError } from './cli/command.js';
import {
  DataDir,
  DataDirError,
  hasControlDatabase,
  markRestoreReplacing,
  RESTORE_STAGING,
  refuseCutRestore,
  refuseShared,
  townFileName,
} from './data-dir.js';
import { LOCK_FILE, lockDataDir, refuseRootInOthersDir, userName } from './data-dir-lock.js';
import { isDiskFull, sqlOf } from './sqlite.js';

/** Written last: a backup without it is incomplete, and restore refuses it. */
export const MANIFEST = 'manifest.json';
/**
 * Written first and removed after the manifest, last: a backup killed midway (SIGKILL, a power cut) leaves it with no
 * manifest, which tells restore and the next backup into the same --out what the directory holds.
 */
export const INCOMPLETE = 'BACKUP-INCOMPLETE';
const INCOMPLETE_TEXT =
  'A gasgauge backup was writing here and did not finish: this is not a backup. Run gasgauge backup with this --out again (it clears this directory first) or delete it.\n';

/** A directory holding what a killed backup left: its marker and no manifest (a finished backup has no marker). */
function isInterruptedBackup(dir: string): boolean {
  return existsSync(join(dir, INCOMPLETE)) && !existsSync(join(dir, MANIFEST));
}
const FORMAT = 1;

export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: number;
  towns: string[];
  secretKey: boolean;
}

/** What a backup or a restore did: the manifest, and the towns that had no database to copy. */
export interface BackupResult extends BackupManifest {
  /**
   * Towns in the control database with no database file: no server has opened them yet (nothing was ingested,
   * nothing read), so there was nothing of theirs to copy; a server makes it again on their first request.
   */
  townsWithoutData: string[];
  /** What a backup killed midway had left in --out was cleared first (backup only). */
  clearedInterrupted?: boolean;
}

/**
 * An online, consistent backup of a data dir while a server runs and ingests: each database is copied
 * by `VACUUM INTO` inside one read transaction (a point-in-time snapshot; WAL readers never block the
 * writer). SQLite's page-by-page backup API restarts whenever another process writes, so a busy town
 * might never finish; `VACUUM INTO` cannot be restarted by a writer.
 *
 * Towns first, the control database last: the ledger is then never older than a town's billing state,
 * so a restored town re-sends cumulative hour totals the ledger already partly debited and only the
 * rest is debited (ARCHITECTURE.md, "Accounts, ledger and the gas tank"). The other order could
 * restore a town that already handed a debit to a ledger that never recorded it.
 */
export function backupDataDir(dataDirPath: string, outPath: string, clock: () => number = Date.now): BackupResult {
  const root = resolve(dataDirPath);
  refuseCutRestore(root);
  if (!hasControlDatabase(root)) throw new Error(`no Gas Gauge data in ${root} (control.sqlite is missing)`);
  const data = new DataDir(root);
  const out = resolve(outPath);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new Error(`${out} is not a directory; back up into a new directory`);
  refuseOutInside(root, out);
  // What a backup killed midway left (its marker, no manifest) is its own: cleared, so the same --out takes the next try.
  const interrupted = existsSync(out) && isInterruptedBackup(out);
  if (interrupted) for (const e of readdirSync(out)) rmSync(join(out, e), { recursive: true, force: true });
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty; back up into a new directory`);
  const madeOut = !existsSync(out);
  try {
    makeDirs(join(out, 'towns'), 0o700);
  } catch (err) {
    if (!(err as NodeJS.ErrnoException).code) throw err;
    throw new Error(
      `cannot write a backup into ${out} (${dirProblem(err as NodeJS.ErrnoException)}); pass --out DIR, a new directory this user can write`,
      { cause: err },
    );
  }
  try {
    chmodSync(out, 0o700);
    writeFileSync(join(out, INCOMPLETE), INCOMPLETE_TEXT, { mode: 0o600 });
    const result = writeBackup(data, out, clock());
    rmSync(join(out, INCOMPLETE));
    return { ...result, clearedInterrupted: interrupted };
  } catch (err) {
    // Half a backup has no manifest, so restore refuses it, but it would stay in --out, and a second try into the
    // same --out would be refused as not empty: what this backup wrote goes (--out was new or empty before it).
    if (madeOut) rmSync(out, { recursive: true, force: true });
    else for (const e of readdirSync(out)) rmSync(join(out, e), { recursive: true, force: true });
    throw backupFailure(err, root, out);
  }
}

/**
 * `--out` inside the data dir (`--out ./data/backup`, `--data` and `--out` mixed up with a relative path): taken, the
 * backup was lost with the data dir it should outlive (a lost disk, a data dir removed), `restore --force` into that
 * data dir removed one under towns/, and each next backup copied nothing of it but lived in the copied dir.
 */
function refuseOutInside(root: string, out: string): void {
  // Through symlinks, --out as far as it exists (it need not exist yet).
  const dataDir = canonicalPath(root);
  const target = canonicalPath(out);
  if (target === dataDir || target.startsWith(`${dataDir}${sep}`)) {
    throw new Error(
      `${out} is inside the data dir ${root}: a backup there is lost with it (a failed disk, a removed data dir); pass --out DIR outside the data dir, best on another disk`,
    );
  }
}

function writeBackup(data: DataDir, out: string, createdAt: number): BackupResult {
  const control = openSource(data.controlFile);
  try {
    const towns: string[] = [];
    const townsWithoutData: string[] = [];
    for (const [id] of control.prepare('SELECT id FROM towns ORDER BY id').raw(true).all() as [string][]) {
      const file = data.townFile(id);
      if (!existsSync(file)) {
        townsWithoutData.push(id); // never opened by a server: nothing recorded yet
        continue;
      }
      copyDatabase(file, join(out, 'towns', `${id}.sqlite`));
      towns.push(id);
    }
    vacuumInto(control, join(out, 'control.sqlite'));
    const secretFile = join(data.root, 'secret.key');
    const secretKey = existsSync(secretFile);
    if (secretKey) copyPrivate(secretFile, join(out, 'secret.key'));
    const manifest: BackupManifest = { format: FORMAT, createdAt, towns, secretKey };
    writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest)}\n`, { mode: 0o600 });
    return { ...manifest, townsWithoutData };
  } finally {
    control.close();
  }
}

/** A database of the data dir that could not be read: its disk has no room for what SQLite needs beside it to read. */
class SourceUnreadable extends Error {}

/**
 * Where a backup ran out of room, said with what to do: the data dir's disk (reading a database no server has open
 * needs its -shm file there, 32 KiB, which SQLite answers SQLITE_IOERR_SHMSIZE when it cannot grow) or --out's.
 * Without this the CLI said "disk I/O error", or "out of disk space in the data dir" when it was --out that was full.
 */
function backupFailure(err: unknown, root: string, out: string): unknown {
  if (err instanceof SourceUnreadable)
    return new DiskFullError(
      `out of disk space in the data dir ${root}: SQLite needs a little room there to read a database no server has open; free some space there and run it again (no backup was kept in ${out})`,
      { cause: err.cause },
    );
  if (isDiskFull(err))
    return new DiskFullError(
      `out of disk space in ${out}: no backup was kept there (what it had written is removed); free some space there, or pass --out DIR on a disk with room`,
      { cause: err },
    );
  return err;
}

/** A backup that restore refuses: incomplete, damaged, or not what `gasgauge backup` writes. Nothing was changed. */
export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreError';
  }
}

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
const MAX_SECRET_KEY_BYTES = 4096;
const MIN_SECRET_KEY_CHARS = 32;

/**
 * Restores a backup into a data dir that is empty (or, with `force`, replaces its databases and key).
 * Never into a data dir a server is running on. Directories get mode 700, files 600.
 *
 * Every file is copied beside the data and checked before anything is replaced, so a backup that is
 * incomplete, truncated, damaged, from a newer version or crafted (a trigger, a view, a table Gas Gauge
 * does not create) is refused and the data dir is left as it was. A trigger in a restored database
 * would run inside the server's own writes: the ledger, the accounts, the sessions.
 */
export function restoreDataDir(
  fromPath: string,
  dataDirPath: string,
  force: boolean,
  /** Tests: the process kills itself (SIGKILL) after the first file is moved into place. */
  crashWhileReplacing = false,
): BackupResult {
  const from = resolve(fromPath);
  const manifest = readManifest(from);
  const target = resolve(dataDirPath);
  try {
    makeDirs(target, 0o700);
  } catch (err) {
    if (!(err as NodeJS.ErrnoException).code) throw err;
    throw new DataDirError(target, err as NodeJS.ErrnoException);
  }
  refuseShared(target); // before anything in it is replaced
  refuseRootInOthersDir(target);
  // Held until the restore is done: no server runs on the files it replaces, nor starts on half of them.
  const lock = lockDataDir(target);
  const staging = join(target, RESTORE_STAGING);
  try {
    rmSync(staging, { recursive: true, force: true }); // left by a restore that was killed
    const entries = readdirSync(target).filter(
      (e) => e !== LOCK_FILE && (e !== 'towns' || readdirSync(join(target, 'towns')).length > 0),
    );
    if (entries.length > 0 && !force) throw new Error(`${target} is not empty; pass --force to replace its data`);
    makeDirs(join(staging, 'towns'), 0o700);
    const files = [
      ...manifest.towns.map((id) => join('towns', townFileName(id))),
      'control.sqlite',
      ...(manifest.secretKey ? ['secret.key'] : []),
    ];
    for (const f of files) copyIn(join(from, f), join(staging, f), f);
    const townIds = checkDatabase(
      join(staging, 'control.sqlite'),
      'control.sqlite',
      CONTROL_MIGRATIONS,
      (db) => db.prepare('SELECT id FROM towns').pluck().all() as string[],
    );
    const known = new Set(townIds);
    for (const id of manifest.towns) {
      if (!known.has(id)) throw new RestoreError(`${from}: town ${id} is not in the backup's control database`);
      checkDatabase(join(staging, 'towns', townFileName(id)), `towns/${townFileName(id)}`, TOWN_MIGRATIONS);
    }
    if (manifest.secretKey) checkSecretKey(join(staging, 'secret.key'));

    // From here until the staging dir is removed, the data dir is half old, half restored: marked so (serve and
    // the commands refuse it, naming this restore to run again) in case this process does not get to the end.
    markRestoreReplacing(target, from);
    for (const e of ['control.sqlite', 'control.sqlite-wal', 'control.sqlite-shm', 'secret.key', 'server.json', 'towns']) {
      rmSync(join(target, e), { recursive: true, force: true });
    }
    const data = new DataDir(target);
    chmodSync(target, 0o700);
    chmodSync(join(target, 'towns'), 0o700);
    for (const f of files) {
      renameSync(join(staging, f), join(data.root, f));
      if (crashWhileReplacing) process.kill(process.pid, 'SIGKILL');
    }
    const copied = new Set(manifest.towns);
    return { ...manifest, townsWithoutData: townIds.filter((id) => !copied.has(id)).sort() };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}

function readManifest(dir: string): BackupManifest {
  if (!existsSync(dir)) throw new RestoreError(`${dir}: no such directory (--from names the directory gasgauge backup wrote)`);
  const file = join(dir, MANIFEST);
  let manifest: BackupManifest;
  try {
    if (statSync(file).size > MAX_MANIFEST_BYTES) throw new RestoreError(`${file} is larger than a backup writes`);
    manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (err) {
    if (err instanceof RestoreError) throw err;
    if (isInterruptedBackup(dir))
      throw new RestoreError(
        `${dir} holds a backup that was interrupted before it finished (${INCOMPLETE}, no ${MANIFEST}): restore another, or make a new one`,
      );
    throw unreadableBackup(err, dir) ?? new RestoreError(`${dir} is not a complete Gas Gauge backup (no ${MANIFEST})`);
  }
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    manifest.format !== FORMAT ||
    !Array.isArray(manifest.towns) ||
    typeof manifest.secretKey !== 'boolean'
  )
    throw new RestoreError(`${dir}: unknown backup format`);
  for (const id of manifest.towns) townFileName(id); // a name that is no file name (../) is refused before anything is written
  if (new Set(manifest.towns).size !== manifest.towns.length) throw new RestoreError(`${dir}: the manifest names a town twice`);
  return manifest;
}

/** A copy of one regular file of the backup (a symlink or device is refused, not followed), private. */
function copyIn(src: string, dest: string, name: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(src);
  } catch (err) {
    throw unreadableBackup(err, src) ?? new RestoreError(`the backup is incomplete: ${name} is missing`);
  }
  if (!st.isFile()) throw new RestoreError(`the backup's ${name} is not a regular file`);
  try {
    if (name.endsWith('.sqlite')) checkSize(src, name, st.size);
    copyPrivate(src, dest);
  } catch (err) {
    throw unreadableBackup(err, src) ?? err;
  }
}

/**
 * A backup this user may not read (root's cron wrote it, mode 700/600, and the service's user restores it) is
 * said as that: it was "not a complete Gas Gauge backup (no manifest.json)", or a bare EACCES whose hint told
 * to chown the data dir.
 */
function unreadableBackup(err: unknown, path: string): RestoreError | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== 'EACCES' && code !== 'EPERM') return undefined;
  const me = process.geteuid?.();
  let owner = '';
  try {
    const uid = statSync(path).uid;
    const name = userName(uid);
    owner = ` (it belongs to ${name === undefined ? `uid ${uid}` : `user ${name}`})`;
  } catch {
    // a directory on the way that cannot be searched: no owner to name
  }
  const self = me === undefined ? undefined : (userName(me) ?? String(me));
  return new RestoreError(
    `cannot read the backup: permission denied on ${path}${owner}${self === undefined ? '' : `; let ${self}, who runs this, read it (chown -R ${self} on the backup, or a copy of it)`}`,
  );
}

/**
 * Before a byte is copied: a database whose size is not the one its header gives (`VACUUM INTO` writes
 * it) is truncated, grown or not SQLite, and is refused without filling the disk with a copy of it.
 */
function checkSize(file: string, name: string, size: number): void {
  const header = Buffer.alloc(100);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0')
    throw new RestoreError(`the backup's ${name} is not a Gas Gauge database (no SQLite header)`);
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
  // The page count in the header is valid when its version-valid-for number equals the change counter.
  const pages = header.readUInt32BE(24) === header.readUInt32BE(92) ? header.readUInt32BE(28) : undefined;
  if (pages === undefined || pages * pageSize !== size)
    throw new RestoreError(
      `the backup's ${name} is damaged: ${plural(size, 'byte')}, not the ${pages === undefined ? '(unknown)' : pages * pageSize} its header gives`,
    );
}

/**
 * Refuses a database that is damaged, from a newer Gas Gauge, or whose schema is not exactly what this
 * version's migrations create up to its recorded version (an extra trigger, view or table, or an
 * altered one); returns `read(db)`. An older version is accepted: the server migrates it when it opens it.
 */
function checkDatabase<T = void>(
  file: string,
  name: string,
  migrations: readonly Migration[],
  read?: (db: Database.Database) => T,
): T {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    let versions: number[];
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new RestoreError(`the backup's ${name} is damaged (${String(check)})`);
      versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all() as number[];
    } catch (err) {
      if (err instanceof RestoreError) throw err;
      throw new RestoreError(`the backup's ${name} is not a Gas Gauge database (${(err as Error).message})`);
    }
    const version = versions.at(-1) ?? 0;
    const latest = migrations.at(-1)?.version ?? 0;
    if (version > latest)
      throw new RestoreError(
        `the backup's ${name} was written by a newer Gas Gauge (schema version ${version}; this one knows up to ${latest}): restore it with that version or a later one`,
      );
    if (versions.some((v, i) => v !== i + 1)) throw new RestoreError(`the backup's ${name} has a broken schema history`);
    const expected = referenceSchema(migrations, version);
    const actual = schemaOf(db);
    // An index Gas Gauge does not create is let through: it runs no code and changes no answer, and
    // towns of the versions that had town migration 15 keep its withdrawn index until step 16 runs.
    for (const [key, sql] of actual)
      if (expected.get(key) !== sql && !(key.startsWith('index ') && !expected.has(key)))
        throw new RestoreError(
          `the backup's ${name} has a ${key.replace(' ', ' "')}" that Gas Gauge ${expected.has(key) ? 'creates otherwise' : 'does not create'}`,
        );
    for (const key of expected.keys())
      if (!actual.has(key)) throw new RestoreError(`the backup's ${name} lacks its ${key.replace(' ', ' "')}"`);
    if ((db.pragma('foreign_key_check') as unknown[]).length > 0)
      throw new RestoreError(`the backup's ${name} has rows that refer to none`);
    return read ? read(db) : (undefined as T);
  } finally {
    db.close();
  }
}

/** Every schema object as "type name" -> its SQL (ANALYZE's statistics tables left out: they hold no code). */
function schemaOf(db: Database.Database): Map<string, string | null> {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_schema WHERE NOT (type = 'table' AND name LIKE 'sqlite\\_stat%' ESCAPE '\\')")
    .raw(true)
    .all() as [string, string, string | null][];
  return new Map(rows.map(([type, name, sql]) => [`${type} ${name}`, sql]));
}

/** Built once per migration list and version: a data dir may hold thousands of towns. */
const referenceSchemas = new WeakMap<readonly Migration[], Map<number, Map<string, string | null>>>();

/** The schema of an empty database that `migrations` build up to `version`, in memory. */
function referenceSchema(migrations: readonly Migration[], version: number): Map<string, string | null> {
  const byVersion = referenceSchemas.get(migrations) ?? new Map<number, Map<string, string | null>>();
  referenceSchemas.set(migrations, byVersion);
  let schema = byVersion.get(version);
  if (!schema) {
    schema = buildSchema(migrations.filter((m) => m.version <= version));
    byVersion.set(version, schema);
  }
  return schema;
}

function buildSchema(migrations: readonly Migration[]): Map<string, string | null> {
  const db = new Database(':memory:');
  try {
    migrate(sqlOf(db), migrations, 0);
    return schemaOf(db);
  } finally {
    db.close();
  }
}

/** The signing key as the server reads it (data-dir.ts): a short line of at least 32 characters. */
function checkSecretKey(file: string): void {
  const size = statSync(file).size;
  const key = size <= MAX_SECRET_KEY_BYTES ? readFileSync(file, 'utf8').trim() : '';
  if (key.length < MIN_SECRET_KEY_CHARS || /\s/.test(key)) throw new RestoreError("the backup's secret.key is not a signing key");
}

function openReadOnly(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A database to back up, read once so that a disk too full to read it fails here, not as the copy's write. */
function openSource(file: string): Database.Database {
  const db = openReadOnly(file);
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (isDiskFull(err) || (typeof code === 'string' && code.startsWith('SQLITE_IOERR_SHM')))
      throw new SourceUnreadable(String(err), { cause: err });
    throw readOnlyFileSystem(err, file) ?? err;
  }
}

/**
 * A WAL database no server has open cannot be read where SQLite may not create its -shm and -wal files beside it: on
 * a read-only file system it said only "unable to open database file". Its EROFS instead, named as serve names it.
 * (immutable=1 would read it, but would also miss a server writing it through a writable view, as under systemd.)
 */
function readOnlyFileSystem(err: unknown, file: string): NodeJS.ErrnoException | undefined {
  if ((err as { code?: unknown }).code !== 'SQLITE_CANTOPEN') return undefined;
  try {
    accessSync(dirname(file), constants.W_OK);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EROFS') return undefined;
    const erofs: NodeJS.ErrnoException = new Error(`EROFS: read-only file system, open '${file}'`, { cause: err });
    erofs.code = 'EROFS';
    erofs.path = file;
    return erofs;
  }
}

function copyDatabase(file: string, dest: string): void {
  const db = openSource(file);
  try {
    vacuumInto(db, dest);
  } finally {
    db.close();
  }
}

function vacuumInto(db: Database.Database, dest: string): void {
  db.prepare('VACUUM INTO ?').run(dest);
  chmodSync(dest, 0o600);
}

function copyPrivate(src: string, dest: string): void {
  copyFileSync(src, dest);
  chmodSync(dest, 0o600);
}
