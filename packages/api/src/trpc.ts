import { AppError, type ErrorCode } from '@gasgauge/core';
import { initTRPC, TRPCError } from '@trpc/server';
import { authenticatePrincipal, type Principal } from './auth/user-auth.js';
import type { ApiDeps } from './deps.js';
import { refuseLoneSurrogates } from './http/utf8.js';
import { type IssueLike, issuePath, reportedIssue } from './http/validate.js';
import { enterRead, userPrincipal } from './ports/read-budget.js';

export interface Context {
  deps: ApiDeps;
  /** The request's Authorization header; resolved to a user only by procedures that need one. */
  authorization: string | undefined;
  /** The browser's session cookie (the web UI), used only when there is no Authorization header. */
  sessionToken?: string | undefined;
  /** The caller, when the host already authenticated it (a POST, before reading its body). */
  principal?: Principal | undefined;
  /** The change budget's refusal of a caller with no change left, whose body the host did not read: every call gets it. */
  changeRefused?: AppError | undefined;
  /** Aborts when the client goes away: a read still waiting for its turn then never runs. */
  signal?: AbortSignal | undefined;
}

const TRPC_CODE = {
  bad_request: 'BAD_REQUEST',
  unauthorized: 'UNAUTHORIZED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  payload_too_large: 'PAYLOAD_TOO_LARGE',
  too_many_requests: 'TOO_MANY_REQUESTS',
  cancelled: 'CLIENT_CLOSED_REQUEST',
  unavailable: 'SERVICE_UNAVAILABLE',
  // Only ingest (REST and OTLP) refuses so; tRPC has no 507 of its own.
  insufficient_storage: 'SERVICE_UNAVAILABLE',
  internal: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<ErrorCode, TRPCError['code']>;

/** The field at fault and a one-line message, from an AppError or from the first input-validation issue. */
function fault(cause: unknown): { path: string; message: string } | undefined {
  if (cause instanceof AppError) return cause.path === undefined ? undefined : { path: cause.path, message: cause.message };
  const issues = (cause as { issues?: IssueLike[] } | undefined)?.issues;
  const first = Array.isArray(issues) ? reportedIssue(issues) : undefined;
  if (!first) return undefined;
  const path = issuePath(first.path, 'input');
  return { path, message: `${path}: ${first.message ?? 'invalid'}` };
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const f = fault(error.cause);
    // A 400 with no field of its own (input that is not JSON, a malformed batch) is about the whole input.
    const path = f?.path ?? (shape.data.httpStatus === 400 ? 'input' : null);
    // A batch's calls share one Retry-After header: the web UI reads each call's own wait here.
    const retry = error.cause instanceof AppError ? error.cause.retryAfterSeconds : undefined;
    return {
      ...shape,
      message: f?.message ?? shape.message,
      data: { ...shape.data, stack: undefined, path, ...(retry === undefined ? {} : { retryAfterSeconds: retry }) },
    };
  },
});

/** Calls in one batched tRPC request, at most (the web client's httpBatchLink `maxItems` is the same). */
export const MAX_TRPC_BATCH = 10;

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** The one AppError as a tRPC error; 5xx messages are hidden. */
export function toTRPCError(cause: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[cause.code], message: cause.expose ? cause.message : 'internal error', cause });
}

/** Maps the one AppError to tRPC's codes, once, for every procedure's result. */
const publicProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof AppError) throw toTRPCError(result.error.cause);
  return result;
});

/**
 * Resolves the credential to `user`. `stillSignedIn()` checks the same credential again (one lookup):
 * a subscription outlives the request that authenticated it, so it asks before every push.
 * Refuses lone surrogates anywhere in the input (as ingest does), before any procedure sees it.
 * A read (query, or a subscription's start) whose user has spent their read budget is refused here,
 * before it does any work; an admitted one waits for its turn (ReadBudget.turn), last, so the procedure runs
 * right after it. A mutation is not charged to the read budget but counted in the user's change budget
 * (ports/change-budget.ts): past it, refused here before it changes anything.
 */
export const userProcedure = publicProcedure.use(async ({ ctx, next, getRawInput, type }) => {
  const { user, stillValid, credential } =
    ctx.principal ?? (await authenticatePrincipal(ctx.deps, ctx.authorization, ctx.sessionToken));
  if (ctx.changeRefused) throw ctx.changeRefused;
  refuseLoneSurrogates(await getRawInput());
  if (type === 'mutation') ctx.deps.changeBudget?.spend(userPrincipal(user.id));
  else await enterRead(ctx.deps.readBudget, userPrincipal(user.id), ctx.signal);
  return next({ ctx: { ...ctx, user, stillSignedIn: stillValid, credential } });
});
