import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { DeliveryError } from '../errors.js';
import { parseRetryAfter } from '../outbox/backoff.js';
import { connectHint } from './connect-hint.js';

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
 * status, Retry-After and the error body's field path. So does a 2xx whose body is not the API's tallies
 * (a captive portal's page, another service's JSON): records are acknowledged only on the API's answer.
 */
export async function postJson(
  url: string,
  token: string,
  body: string | Buffer,
  timeoutMs = 30_000,
  stop?: AbortSignal,
): Promise<PostResult> {
  let res: Answer;
  const signal = stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs);
  try {
    res = await post(url, token, body, signal, true).catch((err: unknown) => {
      // The server closed a pooled connection as this request went out on it (its keep-alive timeout, a restart):
      // the request never reached it. Sent again once on a new connection, as HTTP clients do (records are keyed,
      // so even a request that did arrive adds nothing twice), rather than reported as a failed delivery.
      if (err instanceof StaleConnection) return post(url, token, body, signal, false);
      throw err;
    });
  } catch (err) {
    const e = err as { code?: string; message?: string; name?: string };
    const cause = e.name === 'TimeoutError' || e.name === 'AbortError' ? e.name : (e.code ?? e.message ?? String(err));
    // Never the token: an invalid header's error quotes the header whole.
    const why = cause.split(token).join('<token>');
    // The usual first-run mistakes, said so the user knows what to check.
    const check = connectHint(e.code, '--server', 'the server');
    const hint = check === '' ? '' : ` (${check})`;
    throw new DeliveryError(`no answer from ${url}: ${why}${hint}`, 0, undefined, undefined, { cause: err });
  }
  if (res.text === undefined) {
    throw new DeliveryError(`HTTP ${res.status} from ${url}, then the answer was cut off`, 0, undefined, undefined);
  }
  let parsed: unknown = res.text;
  try {
    parsed = JSON.parse(res.text);
  } catch {
    // Not JSON (a proxy's HTML error page): keep the text for the message.
  }
  const ok = res.status >= 200 && res.status < 300;
  if (ok && res.whole && isIngestAnswer(parsed)) return { status: res.status, body: parsed };
  if (ok) {
    const what = res.whole ? `not the ingest API's answer: ${snippet(res.text)}` : `an answer over ${MAX_ANSWER_BYTES} bytes`;
    throw new DeliveryError(`HTTP ${res.status} from ${url}, but ${what}`, res.status, undefined, undefined);
  }
  const error = res.whole ? apiError(parsed) : undefined;
  const message = snippet(error?.message ?? (typeof parsed === 'string' && parsed !== '' ? parsed : res.statusText));
  // A route the server does not have (`--server http://host:8787/api` posted to /api/api/…), or a 404 that is not the
  // API's (another web server at that address): said as what to check, not only the path that was missing.
  const wrongPath =
    res.status === 404 && (error === undefined || error.message.startsWith('no route for '))
      ? ' (is --server the Gas Gauge server, its address alone such as http://127.0.0.1:8787, with no /api?)'
      : '';
  throw new DeliveryError(
    `HTTP ${res.status} from ${url}: ${message}${wrongPath}`,
    res.status,
    parseRetryAfter(res.retryAfter, Date.now()),
    error?.path,
    { apiError: error !== undefined },
  );
}

/** An answer: its status, and at most MAX_ANSWER_BYTES of its body (`text` undefined when reading it failed). */
interface Answer {
  status: number;
  statusText: string;
  retryAfter: string | null;
  text: string | undefined;
  whole: boolean;
}

/**
 * Keep-alive connections, one pool per scheme. node:http rather than fetch: Node 20's fetch (undici)
 * costs a reporter ~0.2 s of CPU to load and holds its exit ~0.15 s (its parser is WebAssembly), which
 * every `--once` paid. Idle pooled sockets do not keep the process alive.
 */
const AGENTS = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) } as const;

/** A reset before any answer on a connection that had carried an earlier request (see postJson). */
class StaleConnection extends Error {
  readonly code: string | undefined;
  constructor(cause: NodeJS.ErrnoException) {
    super(cause.message, { cause });
    this.code = cause.code;
  }
}

/**
 * One POST; rejects when no answer came (refused, reset, timed out, aborted). `pooled`: on a kept-alive
 * connection when one is free; else on a connection of its own.
 */
function post(url: string, token: string, body: string | Buffer, signal: AbortSignal, pooled: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    let answered = false;
    let finish: (text: string | undefined, whole: boolean) => void = () => {};
    const req = send(
      target,
      {
        method: 'POST',
        agent: pooled ? AGENTS[target.protocol] : false,
        signal,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
        },
      },
      (res) => {
        answered = true;
        const answer = {
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          retryAfter: header(res.headers['retry-after']),
        };
        const chunks: Buffer[] = [];
        let size = 0;
        let settled = false;
        finish = (text: string | undefined, whole: boolean) => {
          if (settled) return;
          settled = true;
          resolve({ ...answer, text, whole });
        };
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            // Not the API's answer: stop reading it (the connection is not reused).
            finish(Buffer.concat(chunks).toString('utf8'), false);
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => finish(Buffer.concat(chunks).toString('utf8'), true));
        res.on('error', () => finish(undefined, false));
        res.on('close', () => finish(undefined, false));
      },
    );
    // An error once the answer began (a timeout or reset mid-body) ends the answer as cut off.
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) finish(undefined, false);
      else reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleConnection(err) : err);
    });
    req.end(body);
  });
}

function header(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
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

/**
 * The ingest routes answer with a JSON object of tallies, `accepted` always among them (docs/api.md, every server
 * since the first). Any other JSON object is another service's answer (a JSON API or an echo service at a mistyped
 * `--server`, a gateway's `{"status":"ok"}`): taken as an acknowledgement, its records were deleted, never stored.
 */
function isIngestAnswer(body: unknown): boolean {
  return typeof body === 'object' && body !== null && typeof (body as { accepted?: unknown }).accepted === 'number';
}

/** A server's text, short enough for a log or status line. */
/**
 * A body for a one-line message: an HTML page (a proxy's or another server's error page) by its title, else
 * its text without tags, any other text with its runs of white space as one space, at most 200 characters. Quoted whole, Python's
 * `http.server` 501 page was 200 characters of markup and escaped newlines, repeated on every retry.
 */
export function snippet(text: string): string {
  const html = /^\s*<(!doctype\s+html|html)[\s>]/i.test(text);
  const title = html ? /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1] : undefined;
  const flat = (html ? (title ?? text.replace(/<[^>]*>/g, ' ')) : text).replace(/\s+/g, ' ').trim();
  const short = flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
  return html ? `an HTML page${short === '' ? '' : ` ("${short}")`}` : short;
}
