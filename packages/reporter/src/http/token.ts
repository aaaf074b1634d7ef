import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { TokenError } from '../errors.js';

const run = promisify(execFile);

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

  async get(): Promise<string> {
    this.current ??= await this.readFile();
    return this.current;
  }

  /** After a 401: a fresh token, and whether it differs from the one that was refused. */
  async refresh(): Promise<{ token: string; changed: boolean }> {
    const before = this.current;
    let token: string | undefined;
    if (this.opts.refreshCommand) {
      try {
        const { stdout } = await run('sh', ['-c', this.opts.refreshCommand], { timeout: 60_000, maxBuffer: 1 << 20 });
        token = stdout.trim() ? checked(stdout.trim(), 'the token refresh command printed') : undefined;
      } catch (err) {
        throw new TokenError(`token refresh command failed: ${(err as Error).message}`, { cause: err });
      }
    }
    token ??= await this.readFile();
    this.current = token;
    return { token, changed: token !== before };
  }

  private async readFile(): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      throw new TokenError(`cannot read the token file ${this.opts.file}: ${(err as Error).message}`, { cause: err });
    }
    const token = text.trim();
    if (!token) throw new TokenError(`the token file ${this.opts.file} is empty`);
    return checked(token, `the token file ${this.opts.file} holds`);
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
