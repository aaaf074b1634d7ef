/** Error codes the core and the API raise; the host maps each to one HTTP status in one place. */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'too_many_requests'
  /** The client went away before the work began (nginx's 499): nobody reads the answer, but the log says why. */
  | 'cancelled'
  | 'unavailable'
  /** A town's storage quota is used up (`--max-town-mb`): nothing more is stored until retention frees room or the quota grows. */
  | 'insufficient_storage'
  | 'internal';

const statusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  too_many_requests: 429,
  cancelled: 499,
  unavailable: 503,
  insufficient_storage: 507,
  internal: 500,
};

/** The one typed error of Gas Gauge. `path` names the input field at fault, when there is one. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  private readonly retryAfter: number | undefined;
  constructor(code: ErrorCode, message: string, options?: { path?: string; cause?: unknown; retryAfterSeconds?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.path = options?.path;
    this.retryAfter = options?.retryAfterSeconds;
  }
  get status(): number {
    return statusOf[this.code];
  }
  /** 5xx details stay in the logs; the client sees a generic message. A 503 (load shed) and a 507 (a quota) are on purpose: they say why. */
  get expose(): boolean {
    return this.status < 500 || this.code === 'unavailable' || this.code === 'insufficient_storage';
  }
  /** Load shed (429, 503): the client may retry after this many seconds (`Retry-After`; 1 unless the refusal knows better). */
  get retryAfterSeconds(): number | undefined {
    return this.code === 'too_many_requests' || this.code === 'unavailable' ? (this.retryAfter ?? 1) : undefined;
  }
}
