/** The reporter's errors. Each carries what went wrong in its own terms and the underlying error as `cause`. */
export class ReporterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** A bad option or an unusable file or directory given by the user: fix the command line, retrying won't help. */
export class ConfigError extends ReporterError {}

/** The state database (outbox, cursors) could not be opened or written. */
export class StateError extends ReporterError {}

/**
 * Errors that say the disk takes no more: a full file system (ENOSPC, which SQLite answers as SQLITE_FULL), a
 * user's quota (EDQUOT) or a file-size limit (EFBIG, `ulimit -f`), which SQLite answers as SQLITE_IOERR_WRITE
 * (its write failed; the transaction is rolled back). The quota is what a shared host runs out of.
 */
const DISK_FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_IOERR_WRITE']);

/** Whether `err` (or what it wraps) is a full disk, a quota or a file-size limit (see DISK_FULL_CODES). */
export function isDiskFull(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (DISK_FULL_CODES.has((e as { code?: unknown }).code as string)) return true;
  }
  return false;
}

/** A non-2xx answer from the ingest API, or no answer at all (status 0). */
export class DeliveryError extends ReporterError {
  /**
   * The body was the ingest API's own error shape, `{"error": {"code": "…", "message": "…"}}`: the
   * Gas Gauge server answered, not a proxy, a load balancer or another service at that URL.
   */
  readonly apiError: boolean;

  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    /** The error body's `path` (`records[3].id`), when the server named a field. */
    readonly path: string | undefined,
    options?: { cause?: unknown; apiError?: boolean },
  ) {
    super(message, options);
    this.apiError = options?.apiError === true;
  }
}

/** A git command failed in a worktree that still exists. */
export class GitError extends ReporterError {}

/** The token file could not be read, or the refresh command failed. */
export class TokenError extends ReporterError {}
