import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { TokenError } from '../errors.js';

const run = promisify(execFile);
const REFRESH_TIMEOUT_MS = 60_000;
/**
 * The most a token file is read: a JWT or a key is under 1 KiB. `--token-file /dev/zero` (or a log file named by
 * mistake) was read whole, up to V8's longest string, and then said "Invalid string length"; it is re-read after
 * every 401.
 */
export const MAX_TOKEN_FILE_BYTES = 64 * 1024;

export interface TokenOptions {
  /** A file holding the ingest token (surrounding whitespace ignored). */
  file: string;
  /**
   * Run through `sh -c` when the server says 401: it may print a new token on stdout, or rewrite the
   * token file and print nothing. Either way the new token is used for the retry.
   */
  refreshCommand?: string | undefined;
}

/**
 * The ingest token. Ingest JWTs live at most 8 h, so a long-running reporter will see a 401: it then
 * re-reads the file (something else — a cron job, the orchestrator — keeps it fresh) or runs the
 * refresh command, and retries.
 */
export class TokenSource {
  private current: string | undefined;
  constructor(private readonly opts: TokenOptions) {}

  /** After a 401 that no fresh token followed: where the token comes from, and what to do about it. */
  get staleAdvice(): string {
    return this.opts.refreshCommand
      ? '--token-command printed the same token: make it print a valid ingest token'
      : `the token file ${this.opts.file} holds the same token: write a valid ingest token into it (gasgauge token mint, or a key from gasgauge key create)`;
  }

  async get(): Promise<string> {
    this.current ??= await this.readFile();
    return this.current;
  }

  /** After a 401: a fresh token, and whether it differs from the one that was refused. */
  async refresh(): Promise<{ token: string; changed: boolean }> {
    const before = this.current;
    let token: string | undefined;
    if (this.opts.refreshCommand) {
      let stdout: string;
      try {
        ({ stdout } = await run('sh', ['-c', this.opts.refreshCommand], { timeout: REFRESH_TIMEOUT_MS, maxBuffer: 1 << 20 }));
      } catch (err) {
        // Not Node's message, nor the error as a cause: they hold the command line (often with an API
        // token in it) and what it printed, and this message goes to the log and the status.
        throw new TokenError(`token refresh command failed (${commandFailure(err)})`);
      }
      token = stdout.trim() ? checked(stdout.trim(), 'the token refresh command printed') : undefined;
    }
    token ??= await this.readFile();
    this.current = token;
    return { token, changed: token !== before };
  }

  private async readFile(): Promise<string> {
    let text: string | undefined;
    try {
      text = await readAtMost(this.opts.file, MAX_TOKEN_FILE_BYTES);
    } catch (err) {
      throw new TokenError(`cannot read the token file ${this.opts.file}: ${fileProblem(err)}`, { cause: err });
    }
    if (text === undefined) {
      throw new TokenError(
        `the token file ${this.opts.file} holds more than ${MAX_TOKEN_FILE_BYTES / 1024} KiB: it should hold one token (under 1 KiB)`,
      );
    }
    const token = text.trim();
    if (!token) throw new TokenError(`the token file ${this.opts.file} is empty: ${WRITE_TOKEN}`);
    return checked(token, `the token file ${this.opts.file} holds`);
  }
}

/** The file as UTF-8 when it holds at most `max` bytes, else undefined (a pipe, as `<(…)` gives, is read too). */
async function readAtMost(path: string, max: number): Promise<string | undefined> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(max + 1);
    let total = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, total, buffer.length - total, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) return undefined;
    }
    return buffer.subarray(0, total).toString('utf8');
  } finally {
    await file.close();
  }
}

/**
 * A token is one run of visible ASCII (JWTs and `ggi_` keys are). Anything else (two lines, a space,
 * a stray character) cannot be sent in a header: said here, without echoing what may be a secret,
 * rather than as a fetch error that quotes the header, token and all, in every retry's log line.
 */
function checked(token: string, what: string): string {
  if (/^[\x21-\x7e]+$/.test(token)) return token;
  throw new TokenError(`${what} more than one token, or characters a token cannot have (spaces, line breaks, non-ASCII)`);
}

/**
 * Why the refresh command failed, in words safe to log: its exit code or signal, and the last line it
 * wrote to stderr (at most 200 characters) with anything shaped like a credential — any `gg?_` secret (a user
 * token, ingest or scrape key, session cookie, login code), a JWT, a `Bearer` value — replaced by `…`.
 */
function commandFailure(err: unknown): string {
  const how = failureKind(err as { code?: unknown; signal?: unknown; killed?: unknown });
  const stderr = (err as { stderr?: unknown }).stderr;
  const lines = typeof stderr === 'string' ? stderr.split('\n').filter((l) => l.trim() !== '') : [];
  const last = lines.at(-1)?.trim().slice(0, 200);
  return last ? `${how}: ${redactCredentials(last)}` : how;
}

/** How execFile says the command ended: timed out, an exit code, too much output, a signal, or not run. */
function failureKind(e: { code?: unknown; signal?: unknown; killed?: unknown }): string {
  if (e.killed === true && e.signal === 'SIGTERM') return `no answer in ${REFRESH_TIMEOUT_MS / 1000} s`;
  if (typeof e.code === 'number') return `exit code ${e.code}`;
  if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return 'it printed more than 1 MiB';
  if (typeof e.signal === 'string') return `killed by ${e.signal}`;
  return typeof e.code === 'string' ? e.code : 'it could not be run';
}

function redactCredentials(text: string): string {
  return text
    .replace(/\bgg[a-z]_[\w-]*/g, '…')
    .replace(/\beyJ[\w-]*(\.[\w-]*){0,2}/g, '…')
    .replace(/\b(Bearer|Basic)\s+\S+/gi, '$1 …');
}

/**
 * A warning when other users on this machine can read the token file (a shell's `> token` under a
 * umask of 022 makes it 0644): whoever holds an ingest token can post spend to the town, debited from
 * its owner's account.
 */
export function tokenFileWarning(file: string): string | undefined {
  // Gone since it was read (a refresh command may rewrite it): nothing to say.
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return undefined;
  const mode = st.mode & 0o777;
  if ((mode & 0o044) === 0) return undefined;
  return `the token file ${file} can be read by other users (mode ${mode.toString(8)}): anyone on this machine could post spend to this town with it; run: chmod 600 ${file}`;
}

/**
 * Why the token file could not be read, said once: Node's message repeats the path the sentence already names
 * (`ENOENT: no such file or directory, open '/path'`), and a missing file is the first run's usual slip.
 */
const WRITE_TOKEN = 'write an ingest token into it (gasgauge token mint --town ID, or a key from gasgauge key create)';

function fileProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return `no such file (ENOENT): ${WRITE_TOKEN}`;
    case 'EISDIR':
      return 'it is a directory (EISDIR): name the file that holds the token';
    case 'ENOTDIR':
      return 'a part of that path is a file, not a directory (ENOTDIR): name the file that holds the token';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${e.code}): chmod it, or run the reporter as its owner`;
    default:
      // Node's message starts with the code and names the file again ("ELOOP: too many symbolic links …, open '…'").
      return e.code
        ? `${e.code}: ${String(e.message)
            .replace(/^[A-Z]+: /, '')
            .replace(/, \w+ '.*'$/, '')}`
        : String(e.message ?? err);
  }
}
