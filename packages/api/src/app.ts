import { AppError } from '@gasgauge/core';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { type Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { shareVerifiedKeys } from './auth/ingest-key.js';
import { authRoutes } from './auth/routes.js';
import { SESSION_COOKIE } from './auth/session.js';
import { authenticatePrincipal, type Principal } from './auth/user-auth.js';
import { beadsRestRoutes } from './beads/rest.js';
import { billingRestRoutes } from './billing/rest.js';
import type { ApiDeps } from './deps.js';
import { accessLog } from './http/access-log.js';
import { MAX_BODY_BYTES, readWebBody } from './http/body.js';
import { toErrorResponse } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { scanJson } from './http/json-depth.js';
import { sameOrigin } from './http/origin.js';
import { refuseBadPercentEscapes } from './http/url-escapes.js';
import { decodeUtf8 } from './http/utf8.js';
import { ingestRoutes } from './ingest/routes.js';
import { prometheusRoutes } from './metrics/prometheus.js';
import { metricsRestRoutes } from './metrics/rest.js';
import { userPrincipal } from './ports/read-budget.js';
import { appRouter } from './router.js';
import { MAX_TRPC_BATCH } from './trpc.js';

/** The whole HTTP API as one Hono app: Web-standard, so Node and Workers host the same code. */
export function createApp(deps: ApiDeps): Hono {
  const app = new Hono();
  // Unexpected errors go to the host's log (one JSON line with --log-format json), stack and all.
  const logError = (err: unknown) =>
    deps.log
      ? deps.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      : console.error(err);
  app.onError((err, c) => {
    const { status, body } = toErrorResponse(err, logError);
    const headers: { Connection?: string; 'Retry-After'?: string } = {};
    // A 413 leaves the rest of the body unread, so the connection cannot carry another request.
    if (status === 413) headers.Connection = 'close';
    // Load shed: exporters and reporters retry after Retry-After.
    const retry = err instanceof AppError ? err.retryAfterSeconds : undefined;
    if (retry !== undefined) headers['Retry-After'] = String(retry);
    return c.json(body, status as ContentfulStatusCode, headers);
  });
  app.notFound(noRoute);

  app.use('*', accessLog(deps.accessLog));
  // The Fetch standard forbids these methods: building a Request of one (tRPC's, a buffered body's)
  // throws, which answered an unauthenticated TRACE with a 500. No route serves them.
  app.use('*', async (c, next) => (FORBIDDEN_METHODS.has(c.req.method) ? noRoute(c) : next()));
  app.use('*', async (c, next) => {
    refuseBadPercentEscapes(c.req.url);
    await next();
  });
  app.route('/', healthRoutes(deps));
  app.route('/', ingestRoutes(deps));
  app.route('/', metricsRestRoutes(deps));
  app.route('/', beadsRestRoutes(deps));
  app.route('/', prometheusRoutes(deps));
  app.route('/', billingRestRoutes(deps));
  app.route('/', authRoutes(deps));
  app.use('/trpc/*', sameOrigin({ requireOrigin: false, publicOrigin: deps.publicOrigin }));
  // A change (tRPC posts mutations) is judged on the control store's own answers, never remembered ones (ApiDeps.freshControl).
  const changeDeps: ApiDeps = deps.freshControl ? { ...deps, control: deps.freshControl } : deps;
  if (deps.freshControl) shareVerifiedKeys(deps.freshControl, deps.control);
  app.all('/trpc/*', async (c) => {
    const authorization = c.req.header('authorization');
    const sessionToken = getCookie(c, SESSION_COOKIE);
    const signal = deps.clientGone?.(c);
    const reqDeps = c.req.method === 'GET' || c.req.method === 'HEAD' ? deps : changeDeps;
    const { principal, changeRefused } = await readBodyForCaller(c, reqDeps, authorization, sessionToken);
    return fetchRequestHandler({
      endpoint: '/trpc',
      req: c.req.raw,
      router: appRouter,
      // Each call of a batch costs as much as a request of its own: one GET of 20 beads.stats held the event loop for 8 s.
      maxBatchSize: MAX_TRPC_BATCH,
      createContext: () => ({ deps: reqDeps, authorization, sessionToken, principal, changeRefused, signal }),
      // Load shed (a spent read budget): the longest wait of the batch's refused calls, as for REST.
      responseMeta: ({ errors }) => {
        const waits = errors.map((e) => (e.cause instanceof AppError ? (e.cause.retryAfterSeconds ?? 0) : 0));
        const retry = Math.max(0, ...waits);
        return retry > 0 ? { headers: { 'Retry-After': String(retry) } } : {};
      },
      onError: ({ error }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') logError(error.cause ?? error);
      },
    });
  });
  return app;
}

/**
 * Every tRPC procedure needs a user, so a body (up to 1 MiB, from the process's BodyBudget) is read only
 * for a caller whose credential holds; the principal found is the procedures' (no second lookup). Without
 * one, tRPC gets no body and answers its 401 as ever: a client with no credential can no longer make the
 * server hold bodies it will refuse, nor fill the budget that reporters' ingest shares. Nor is it read for a
 * caller with no change left (a body is mutations): each of its calls gets the change budget's 429, and a user
 * whose changes are spent cannot keep the event loop parsing megabytes (~100 ms each) that nothing counts.
 */
async function readBodyForCaller(
  c: Context,
  deps: ApiDeps,
  authorization: string | undefined,
  sessionToken: string | undefined,
): Promise<{ principal?: Principal; changeRefused?: AppError }> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return {};
  const { url, method, headers } = c.req.raw;
  let principal: Principal;
  try {
    principal = await authenticatePrincipal(deps, authorization, sessionToken);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'unauthorized') throw err;
    c.req.raw = new Request(url, { method, headers });
    return {};
  }
  const changeRefused = deps.changeBudget?.refusal(userPrincipal(principal.user.id));
  if (changeRefused) {
    c.req.raw = new Request(url, { method, headers });
    return { principal, changeRefused };
  }
  const bytes = await (deps.readBody ?? readWebBody)(c, MAX_BODY_BYTES);
  // Bounded before tRPC parses it, as every JSON body is (the parse comes before any budget is spent).
  scanJson(bytes);
  const body = decodeUtf8(bytes);
  c.req.raw = new Request(url, { method, headers, body });
  return { principal };
}

const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function noRoute(c: Context): Response {
  return c.json({ error: { code: 'not_found', message: `no route for ${c.req.method} ${withoutKey(c.req.path)}` } }, 404);
}

/** A mistyped `/otlp/<ingest key>/…` URL must not echo the key. */
function withoutKey(path: string): string {
  return path.replace(/^\/otlp\/[^/]+/, '/otlp/<key>');
}
