import { readdirSync } from 'node:fs';

/**
 * File names that are not valid UTF-8. Linux names are bytes: a transcript copied from another system,
 * or restored from an archive in another encoding, may have a name that is not UTF-8. Read as a string,
 * Node replaces each bad byte with U+FFFD, and that string names no file (every stat and open of it fails:
 * the file was skipped without a word). A listed name is therefore kept as text only when it is valid
 * UTF-8 without U+FFFD; any other name becomes `\uFFFD{<hex of its bytes>}`, which no valid name is (a
 * valid name with U+FFFD in it is written so too). Paths stay text: the cursor table keys them exactly,
 * path functions (join, basename, dirname) work on them, and `fsPath` gives the bytes back to every fs call.
 */
const REPLACEMENT = '\uFFFD';
const ESCAPED = /^\uFFFD\{((?:[0-9a-f]{2})*)\}$/;

/** A directory entry's name as the reporter keeps it (see above). */
export function nameOf(raw: Buffer): string {
  const text = raw.toString('utf8');
  if (!text.includes(REPLACEMENT) && Buffer.byteLength(text) === raw.length) return text;
  return `${REPLACEMENT}{${raw.toString('hex')}}`;
}

/** Whether a name (the last of a path, or one listDir gave) is escaped: its bytes are not valid UTF-8. */
export function isEscapedName(name: string): boolean {
  return ESCAPED.test(name);
}

/** What an fs call takes for a path the reporter keeps: the path itself, or its bytes when a name in it is escaped. */
export function fsPath(path: string): string | Buffer {
  if (!path.includes(REPLACEMENT)) return path;
  const parts = path.split('/').map((part) => {
    const m = ESCAPED.exec(part);
    return m ? Buffer.from(m[1] as string, 'hex') : Buffer.from(part);
  });
  const slash = Buffer.from('/');
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [slash, p])));
}

/** What a listing says of an entry's type (a Dirent, named as text or as bytes). */
export interface EntryType {
  isDirectory(): boolean;
  isFile(): boolean;
}

/**
 * A directory's entries, each named as the reporter keeps names (nameOf); throws what readdir throws. Listed
 * as text first: only a listing with U+FFFD in a name (a name that is not UTF-8 decodes so) is listed again
 * as bytes, so the common case makes no Buffer and no second decode per entry (a tree of 13,457 transcripts
 * in 4,940 directories is listed at every `--once`).
 */
export function listDir(dir: string): { name: string; entry: EntryType }[] {
  const path = fsPath(dir);
  const entries = readdirSync(path, { withFileTypes: true });
  if (!entries.some((e) => e.name.includes(REPLACEMENT))) return entries.map((entry) => ({ name: entry.name, entry }));
  return readdirSync(path, { withFileTypes: true, encoding: 'buffer' }).map((entry) => ({
    name: nameOf(entry.name),
    entry,
  }));
}

/** Whether the last name of `path` ends with the ASCII `suffix` (`.jsonl`, no `/`), escaped or not. */
export function nameEndsWith(path: string, suffix: string): boolean {
  const from = path.lastIndexOf('/') + 1;
  // Not escaped (the common case): the path's end is the name's.
  if (path.charCodeAt(from) !== 0xfffd) return path.endsWith(suffix);
  const m = ESCAPED.exec(path.slice(from));
  return m
    ? Buffer.from(m[1] as string, 'hex')
        .toString('latin1')
        .endsWith(suffix)
    : path.endsWith(suffix);
}
