import { chmodSync, closeSync, existsSync, openSync, statSync } from 'node:fs';

/**
 * The data dir holds webhook URLs (which carry secrets), users' token hashes and the signing key, so
 * it and every database file are for the server's user only: directories 0700, files 0600.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Takes group and other permissions away from `path` if it has any (a data dir made by an older
 * version, or a file copied in). A path we may not chmod (another user's) is refused with a message
 * that says what to do, rather than served to anyone who can read it.
 */
export function makePrivate(path: string, mode: number): void {
  const current = statSync(path).mode & 0o777;
  if ((current & 0o077) === 0) return;
  try {
    chmodSync(path, mode);
  } catch (err) {
    throw new Error(
      `${path} is open to other users (mode ${current.toString(8)}) and could not be made private (${(err as Error).message}); run: chmod ${mode.toString(8)} ${path}`,
    );
  }
}

/**
 * A SQLite database and its -wal and -shm files, private. A missing database is created 0600 first:
 * SQLite gives the -wal and -shm files it creates later the database file's permissions.
 */
export function makeDatabasePrivate(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) makePrivate(f, PRIVATE_FILE_MODE);
}
