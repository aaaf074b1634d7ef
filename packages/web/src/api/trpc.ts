import type { AppRouter } from '@gasgauge/api';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { NoAnswerError } from '../lib/busy.js';
import { showInvisibleDeep } from '../lib/invisible.js';

/**
 * Every JSON answer with the invisible characters in its strings made visible (`lib/invisible.ts`) before any
 * component sees it: names come from reporters and users, and the UI must not render them raw.
 * (The `metrics.live` stream carries numbers only.) A request that got no answer from Gas Gauge fails with a
 * `NoAnswerError`, which pages retry (lib/use-query.ts) and show as such rather than "Failed to fetch".
 */
const fetchShowingInvisible: NonNullable<Parameters<typeof httpBatchLink>[0]['fetch']> = async (input, init) => {
  let res: Response;
  try {
    res = await fetch(input, init as RequestInit);
  } catch (err) {
    // An abort stays an abort; anything else is a connection that failed ("Failed to fetch" in Chromium).
    if (init?.signal?.aborted) throw err;
    throw new NoAnswerError('no answer from the server', { cause: err });
  }
  if (!res.headers.get('content-type')?.includes('json')) {
    // A proxy's own page while Gas Gauge is down or restarting (its answers are JSON).
    if (res.status === 502 || res.status === 503 || res.status === 504)
      throw new NoAnswerError(`the server answered ${res.status}`);
    return res;
  }
  const text = await res.text();
  let body: string;
  try {
    body = JSON.stringify(showInvisibleDeep(JSON.parse(text)));
  } catch {
    body = text;
  }
  const headers = new Headers(res.headers);
  headers.delete('content-length'); // the body grew
  return new Response(body, { status: res.status, statusText: res.statusText, headers });
};

/**
 * The one tRPC client. Same origin, so the browser attaches the HttpOnly session cookie itself: the
 * page never sees a credential. Queries and mutations batch over HTTP; `metrics.live` is SSE.
 */
export const trpc = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === 'subscription',
      true: httpSubscriptionLink({ url: '/trpc' }),
      false: httpBatchLink({ url: '/trpc', fetch: fetchShowingInvisible, maxItems: 10 /* the server's MAX_TRPC_BATCH */ }),
    }),
  ],
});

/** A signed-out or expired session: the page goes to /login rather than showing an error. */
export function isUnauthorized(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const data = err.data as { httpStatus?: number; code?: string } | undefined;
  return data?.httpStatus === 401 || data?.code === 'UNAUTHORIZED';
}

/**
 * A read refused on its `townId` (404, or 403): the town is not among the user's any more (their
 * membership of its organisation ended, say) while a page of it is open.
 */
export function isTownGone(err: unknown): boolean {
  if (!isHidden(err)) return false;
  return ((err as TRPCClientError<AppRouter>).data as { path?: unknown } | undefined)?.path === 'townId';
}

/** Refused on its `townId` for any reason but the session's or the server's load: an id no town of the user has. */
export function isRefusedOnTown(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const data = err.data as { httpStatus?: number; path?: unknown } | undefined;
  const status = data?.httpStatus ?? 0;
  return data?.path === 'townId' && status >= 400 && status < 500 && status !== 401 && status !== 429;
}

/** Refused (403) or not shown to this user (404): a role that may not read something, not a failure. */
export function isHidden(err: unknown): boolean {
  if (!(err instanceof TRPCClientError)) return false;
  const data = err.data as { httpStatus?: number; code?: string } | undefined;
  return data?.httpStatus === 403 || data?.httpStatus === 404 || data?.code === 'FORBIDDEN' || data?.code === 'NOT_FOUND';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type Throughput = Awaited<ReturnType<typeof trpc.metrics.throughput.query>>;
export type TownInfo = Awaited<ReturnType<typeof trpc.towns.list.query>>[number];
