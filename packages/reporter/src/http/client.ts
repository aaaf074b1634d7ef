import { DeliveryError } from '../errors.js';
import { parseRetryAfter } from '../outbox/backoff.js';

export interface PostResult {
  status: number;
  body: unknown;
}

/**
 * One POST of a JSON body to the ingest API. Any non-2xx answer, and a request that never got one
 * (connection refused, reset, timeout: status 0), becomes a DeliveryError carrying the status,
 * Retry-After and the error body's field path.
 */
export async function postJson(
  url: string,
  token: string,
  body: string,
  timeoutMs = 30_000,
  stop?: AbortSignal,
): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new DeliveryError(`no answer from ${url}: ${why}`, 0, undefined, undefined, { cause: err });
  }
  const text = await res.text().catch(() => '');
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML error page): keep the text for the message.
  }
  if (res.ok) return { status: res.status, body: parsed };
  const error = apiError(parsed);
  const message = error?.message ?? (typeof parsed === 'string' ? parsed.slice(0, 200) : res.statusText);
  throw new DeliveryError(
    `HTTP ${res.status} from ${url}: ${message}`,
    res.status,
    parseRetryAfter(res.headers.get('retry-after'), Date.now()),
    error?.path,
    { apiError: error !== undefined },
  );
}

/** The API's error body, `{"error": {"code": string, "message": string, "path"?: string}}`; undefined for anything else. */
function apiError(body: unknown): { code: string; message: string; path: string | undefined } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, path } = error as { code?: unknown; message?: unknown; path?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  return { code, message, path: typeof path === 'string' ? path : undefined };
}
