import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KNOWN_SCHEMA_VERSIONS, SchemaTooNewError } from '@gasgauge/core';
import Database from 'better-sqlite3';
import { DataDir } from './data-dir.js';
import { LOCK_FILE, lockDataDir } from './data-dir-lock.js';

/** Written last: a backup without it is incomplete, and restore refuses it. */
export const MANIFEST = 'manifest.json';
const FORMAT = 1;

export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: number;
  towns: string[];
  secretKey: boolean;
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
export function backupDataDir(dataDirPath: string, outPath: string, clock: () => number = Date.now): BackupManifest {
  const root = resolve(dataDirPath);
  if (!existsSync(join(root, 'control.sqlite'))) throw new Error(`no Gas Gauge data in ${root} (control.sqlite is missing)`);
  const data = new DataDir(root);
  const out = resolve(outPath);
  if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`${out} is not empty; back up into a new directory`);
  mkdirSync(join(out, 'towns'), { recursive: true, mode: 0o700 });
  chmodSync(out, 0o700);
  const createdAt = clock();

  const control = openReadOnly(data.controlFile);
  try {
    const towns: string[] = [];
    for (const [id] of control.prepare('SELECT id FROM towns ORDER BY id').raw(true).all() as [string][]) {
      const file = data.townFile(id);
      if (!existsSync(file)) continue; // never opened by a server: nothing recorded yet
      copyDatabase(file, join(out, 'towns', `${id}.sqlite`));
      towns.push(id);
    }
    vacuumInto(control, join(out, 'control.sqlite'));
    const secretFile = join(data.root, 'secret.key');
    const secretKey = existsSync(secretFile);
    if (secretKey) copyPrivate(secretFile, join(out, 'secret.key'));
    const manifest: BackupManifest = { format: FORMAT, createdAt, towns, secretKey };
    writeFileSync(join(out, MANIFEST), `${JSON.stringify(manifest)}\n`, { mode: 0o600 });
    return manifest;
  } finally {
    control.close();
  }
}

/**
 * Restores a backup into a data dir that is empty (or, with `force`, replaces its databases and key).
 * Never into a data dir a server is running on. Directories get mode 700, files 600.
 */
export function restoreDataDir(fromPath: string, dataDirPath: string, force: boolean): BackupManifest {
  const from = resolve(fromPath);
  const manifest = readManifest(from);
  const target = resolve(dataDirPath);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  // Held until the restore is done: no server runs on the files it replaces, nor starts on half of them.
  const lock = lockDataDir(target);
  try {
    const entries = readdirSync(target).filter(
      (e) => e !== LOCK_FILE && (e !== 'towns' || readdirSync(join(target, 'towns')).length > 0),
    );
    if (entries.length > 0 && !force) throw new Error(`${target} is not empty; pass --force to replace its data`);
    const data = new DataDir(target);
    // townFile refuses an id that is no file name, so a manifest naming ../ cannot write outside the data dir.
    const townFiles = manifest.towns.map((id) => [join(from, 'towns', `${id}.sqlite`), data.townFile(id)] as const);
    // Before anything is replaced: a backup this version cannot open leaves the data dir as it was.
    checkSchema(join(from, 'control.sqlite'), KNOWN_SCHEMA_VERSIONS.control);
    for (const [src] of townFiles) checkSchema(src, KNOWN_SCHEMA_VERSIONS.town);
    for (const e of ['control.sqlite', 'control.sqlite-wal', 'control.sqlite-shm', 'secret.key', 'server.json', 'towns']) {
      rmSync(join(target, e), { recursive: true, force: true });
    }
    new DataDir(target); // its towns directory again, private, now that the old one is gone
    chmodSync(target, 0o700);
    chmodSync(join(target, 'towns'), 0o700);
    for (const [src, dest] of townFiles) copyPrivate(src, dest);
    copyPrivate(join(from, 'control.sqlite'), join(target, 'control.sqlite'));
    if (manifest.secretKey) copyPrivate(join(from, 'secret.key'), join(target, 'secret.key'));
    return manifest;
  } finally {
    lock.release();
  }
}

function readManifest(dir: string): BackupManifest {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as BackupManifest;
  } catch {
    throw new Error(`${dir} is not a complete Gas Gauge backup (no ${MANIFEST})`);
  }
  if (manifest.format !== FORMAT || !Array.isArray(manifest.towns)) throw new Error(`${dir}: unknown backup format`);
  return manifest;
}

/** A database of the backup whose schema is newer than this code knows: `SchemaTooNewError` naming it. */
function checkSchema(file: string, known: number): void {
  const db = openReadOnly(file);
  try {
    const version = Number(
      (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').raw(true).get() as [number])[0],
    );
    if (version > known) throw new SchemaTooNewError(version, known, file);
  } finally {
    db.close();
  }
}

function openReadOnly(file: string): Database.Database {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

function copyDatabase(file: string, dest: string): void {
  const db = openReadOnly(file);
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
