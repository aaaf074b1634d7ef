import { DeliveryError } from '../errors.js';
import { parseRetryAfter } from '../outbox/backoff.js';

/**
 * The ingest API answers in a few hundred bytes; a longer answer is not its answer (a proxy's page,
 * another service, a hostile server), and is not read further, so it cannot fill memory.
 */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface PostResult {
  status: number;
  body: unknown;
}

/**
 * One POST of a JSON body to the ingest API. Any non-2xx answer, and a request that never got one
 * (connection refused, reset, timeout, a body cut off: status 0), becomes a DeliveryError carrying the
 * status, Retry-After and the error body's field path. So does a 2xx whose body is not a JSON object
 * (a captive portal's page, another service): records are acknowledged only on the API's answer.
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
    // Never the token: an invalid header's error quotes the header whole.
    const why = (cause?.code ?? cause?.message ?? (err as Error).message).split(token).join('<token>');
    // The usual first-run mistakes, said so the user knows what to check.
    const hint =
      cause?.code === 'ECONNREFUSED'
        ? ' (nothing listens there: is the server running, and is --server right?)'
        : cause?.code === 'ENOTFOUND'
          ? ' (no such host: check --server)'
          : '';
    throw new DeliveryError(`no answer from ${url}: ${why}${hint}`, 0, undefined, undefined, { cause: err });
  }
  const answer = await readAnswer(res);
  if (answer === undefined) {
    throw new DeliveryError(`HTTP ${res.status} from ${url}, then the answer was cut off`, 0, undefined, undefined);
  }
  let parsed: unknown = answer.text;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    // Not JSON (a proxy's HTML error page): keep the text for the message.
  }
  if (res.ok && answer.whole && isIngestAnswer(parsed)) return { status: res.status, body: parsed };
  if (res.ok) {
    const what = answer.whole
      ? `not the ingest API's answer: ${snippet(answer.text)}`
      : `an answer over ${MAX_ANSWER_BYTES} bytes`;
    throw new DeliveryError(`HTTP ${res.status} from ${url}, but ${what}`, res.status, undefined, undefined);
  }
  const error = answer.whole ? apiError(parsed) : undefined;
  const message = snippet(error?.message ?? (typeof parsed === 'string' ? parsed : res.statusText));
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

/** At most MAX_ANSWER_BYTES of the body (`whole` false when there was more); undefined when reading it failed. */
async function readAnswer(res: Response): Promise<{ text: string; whole: boolean } | undefined> {
  if (!res.body) return { text: '', whole: true };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_ANSWER_BYTES) {
        await reader.cancel().catch(() => {});
        return { text: Buffer.concat(chunks).toString('utf8'), whole: false };
      }
      chunks.push(value);
    }
  } catch {
    return undefined;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), whole: true };
}

/** The ingest routes answer with a JSON object of tallies (docs/api.md). */
function isIngestAnswer(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** A server's text, short enough for a log or status line. */
function snippet(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
