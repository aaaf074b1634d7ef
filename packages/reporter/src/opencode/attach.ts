import { setTimeout as sleep } from 'node:timers/promises';
import { connectHint } from '../http/connect-hint.js';
import { Backoff, type BackoffOptions } from '../outbox/backoff.js';
import type { SdkEvent } from './events.js';

/**
 * How long a connection may go without a byte before it is dropped and made again (and so caught up
 * from disk). OpenCode's event routes send a `server.heartbeat` event every 30 s (its older Hono server,
 * also Kilo's then; OpenCode 1.18.33 and Kilo 7.7.7 every 10 s on `/global/event` and `/event`, measured), so 90 s
 * of silence is at least three missed heartbeats: a server or a proxy that keeps the connection open but no longer
 * sends anything.
 */
export const INACTIVITY_TIMEOUT_MS = 90_000;

export interface AttachOptions {
  /** A running `opencode serve` / `kilo serve`, e.g. http://127.0.0.1:4096. */
  url: string;
  /**
   * Basic-auth pairs to try in turn, the next after a 401 (the one that worked is kept): `opencode serve` takes
   * `OPENCODE_SERVER_USERNAME` (default `opencode`) with `OPENCODE_SERVER_PASSWORD`, `kilo serve`
   * `KILO_SERVER_USERNAME` (default `kilo`) with `KILO_SERVER_PASSWORD`, and `--opencode` cannot tell which it names.
   * Credentials in the URL (`http://kilo:pw@host:port`) go first; none: no Authorization header.
   */
  credentials?: readonly Credentials[] | undefined;
  onEvent: (event: SdkEvent) => void;
  /**
   * Runs after each connection is open, before its events are read: the caller catches up from the
   * store on disk, so what happened while disconnected is neither lost nor (keyed by message id) doubled.
   */
  onConnect?: () => Promise<unknown> | unknown;
  signal: AbortSignal;
  backoff?: BackoffOptions;
  log?: (line: string) => void;
  /** A bigger event is skipped (default 1 MiB): message events carry no content, only counts. */
  maxEventBytes?: number;
  /** Silence after which a connection is dropped and made again (default INACTIVITY_TIMEOUT_MS); tests shorten it. */
  inactivityTimeoutMs?: number;
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * The basic-auth pairs to try, in order, without repeats: the URL's own (`http://user:pw@host`, taken out of the
 * URL: fetch refuses a URL with credentials), then `credentials`.
 */
export function attachCredentials(opts: Pick<AttachOptions, 'url' | 'credentials'>): {
  url: string;
  credentials: Credentials[];
} {
  let url = opts.url;
  const out: Credentials[] = [];
  const parsed = new URL(opts.url);
  if (parsed.username !== '' || parsed.password !== '') {
    out.push({ username: percentDecoded(parsed.username), password: percentDecoded(parsed.password) });
    parsed.username = '';
    parsed.password = '';
    url = parsed.href;
  }
  if (opts.credentials !== undefined) out.push(...opts.credentials);
  return { url, credentials: distinct(out) };
}

/** A URL's user or password as typed: `p%40ss` is `p@ss`, and a `%` that escapes nothing (`pa%zz`) is itself (it threw). */
function percentDecoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The pairs without repeats, in their order. */
function distinct(pairs: readonly Credentials[]): Credentials[] {
  const byKey = new Map<string, Credentials>();
  for (const c of pairs) {
    const key = JSON.stringify([c.username, c.password]);
    if (!byKey.has(key)) byKey.set(key, c);
  }
  return [...byKey.values()];
}

/**
 * The pairs an environment names: `opencode serve`'s (`OPENCODE_SERVER_USERNAME`, default `opencode`, with
 * `OPENCODE_SERVER_PASSWORD`), `kilo serve`'s (`KILO_SERVER_USERNAME`, default `kilo`, with `KILO_SERVER_PASSWORD`), then
 * each password with the other CLI's default user (one password set for both servers).
 */
export function opencodeCredentials(env: NodeJS.ProcessEnv): Credentials[] {
  const oc = env.OPENCODE_SERVER_PASSWORD || undefined;
  const kilo = env.KILO_SERVER_PASSWORD || undefined;
  const out: Credentials[] = [];
  if (oc !== undefined) out.push({ username: env.OPENCODE_SERVER_USERNAME || 'opencode', password: oc });
  if (kilo !== undefined) out.push({ username: env.KILO_SERVER_USERNAME || 'kilo', password: kilo });
  if (oc !== undefined) out.push({ username: 'kilo', password: oc });
  if (kilo !== undefined) out.push({ username: 'opencode', password: kilo });
  return distinct(out);
}

export interface AttachStats {
  connects: number;
  events: number;
  /** Events that were not JSON or over the size limit. */
  skipped: number;
}

/**
 * Subscribes to OpenCode's server-sent events, `GET /global/event` (every directory, each event wrapped
 * as `{directory, payload}`), or `GET /event` on servers without it (404), and reconnects with backoff
 * until the signal aborts. Resolves when it does. A connection that brings no byte (not even its
 * response headers) for `inactivityTimeoutMs` is dropped and made again; the wait for the caller's
 * catch-up (`onConnect`) does not count.
 */
export async function attachOpencode(opts: AttachOptions, stats: AttachStats = { connects: 0, events: 0, skipped: 0 }) {
  const log = opts.log ?? (() => {});
  const backoff = new Backoff({ baseMs: 500, maxMs: 30_000, ...opts.backoff });
  const { url, credentials } = attachCredentials(opts);
  /** The pair tried first: the one that last worked. */
  let auth = 0;
  const headers = (i: number) => {
    const h = new Headers({ accept: 'text/event-stream' });
    const c = credentials[i];
    if (c !== undefined) h.set('authorization', `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`);
    return h;
  };
  const paths = ['/global/event', '/event'];
  const silenceMs = opts.inactivityTimeoutMs ?? INACTIVITY_TIMEOUT_MS;
  while (!opts.signal.aborted) {
    const connection = new AbortController();
    const signal = AbortSignal.any([opts.signal, connection.signal]);
    let silence: ReturnType<typeof setTimeout> | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => connection.abort(), silenceMs);
    };
    try {
      let res: Response | undefined;
      for (let tried = 0; ; tried++) {
        for (const path of paths) {
          heard();
          res = await fetch(new URL(path, url), { headers: headers(auth), signal });
          if (res.status !== 404) break;
          await res.body?.cancel();
          if (paths.length > 1 && path === '/global/event') paths.shift(); // An older server: remember.
        }
        if (res?.status !== 401 || tried + 1 >= credentials.length) break;
        await res.body?.cancel();
        auth = (auth + 1) % credentials.length; // kilo serve's user where opencode serve's was refused, or the reverse
      }
      clearTimeout(silence);
      if (res?.status === 401) {
        await res.body?.cancel();
        throw new Error(`HTTP 401 (${unauthorized(credentials)})`);
      }
      if (!res?.ok || !res.body) throw new Error(`HTTP ${res?.status}`);
      stats.connects++;
      backoff.reset();
      await opts.onConnect?.();
      heard();
      await readEvents(res.body, opts, stats, heard);
      log(`opencode ${url}: the event stream ended; reconnecting`);
    } catch (err) {
      if (opts.signal.aborted) break;
      const why = connection.signal.aborted ? `nothing received for ${silenceMs / 1000} s` : connectError(err);
      log(`opencode ${url}: ${why}; reconnecting`);
    } finally {
      clearTimeout(silence);
    }
    try {
      await sleep(backoff.next(), undefined, { signal: opts.signal });
    } catch {
      break; // Aborted while waiting.
    }
  }
  return stats;
}

/** What a 401 means: which users were tried (never a password), and where the password comes from. */
function unauthorized(credentials: readonly Credentials[]): string {
  const users = [...new Set(credentials.map((c) => c.username))].join(', ');
  const tried = credentials.length === 0 ? 'no password was sent' : `refused the password as user ${users}`;
  return `${tried}: set OPENCODE_SERVER_PASSWORD for opencode serve, KILO_SERVER_PASSWORD for kilo serve`;
}

/**
 * Why a connection failed, with the cause fetch hides behind its "fetch failed" (ECONNREFUSED, ENOTFOUND) and,
 * for the usual first-run mistakes, what to check, as `--server`'s are said.
 */
function connectError(err: unknown): string {
  const message = (err as Error).message;
  const code = (err as { cause?: { code?: unknown } }).cause?.code;
  if (typeof code !== 'string') return message;
  const check = connectHint(code, '--opencode', 'opencode serve (or kilo serve)');
  const hint = check === '' ? '' : `: ${check}`;
  return `${message} (${code}${hint})`;
}

/** Server-sent events: `data:` lines joined until a blank line; comments and other fields ignored. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  opts: AttachOptions,
  stats: AttachStats,
  heard: () => void,
): Promise<void> {
  const max = opts.maxEventBytes ?? 1024 * 1024;
  const decoder = new TextDecoder();
  /** The line being received, in pieces (its newline has not come yet), and its length. */
  let pending: string[] = [];
  let pendingLength = 0;
  let data: string[] = [];
  let size = 0;
  const dispatch = () => {
    const text = data.join('\n');
    const oversized = size > max;
    data = [];
    size = 0;
    if (text === '' && !oversized) return;
    try {
      if (oversized) throw new Error('too big');
      const event: unknown = JSON.parse(text);
      if (typeof event !== 'object' || event === null) throw new Error('not an object');
      stats.events++;
      opts.onEvent(event as SdkEvent);
    } catch {
      stats.skipped++;
    }
  };
  const line = (l: string) => {
    if (l === '') dispatch();
    else if (l.startsWith('data:')) {
      size += l.length;
      // Past the limit the rest of the event is not kept, only counted as skipped when it ends.
      if (size <= max) data.push(l.slice(l.startsWith('data: ') ? 6 : 5));
      else data = [];
    }
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    heard();
    const text = decoder.decode(chunk, { stream: true });
    // Only the new text is searched, and the start of a line is kept in pieces: searching (and so
    // joining) the whole held line on every chunk made a 1 MiB event sent 64 bytes at a time cost 39 s of CPU.
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      pending.push(text.slice(start, nl));
      line(pending.join('').replace(/\r$/, ''));
      pending = [];
      pendingLength = 0;
      start = nl + 1;
    }
    if (start < text.length) {
      pending.push(text.slice(start));
      pendingLength += text.length - start;
    }
    // A line longer than the limit is not kept whole either.
    if (pendingLength > max) {
      size = max + 1;
      data = [];
      const kept = pending.join('').startsWith('data:') ? 'data:' : '';
      pending = [kept];
      pendingLength = kept.length;
    }
  }
}
