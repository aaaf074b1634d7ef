import {
  AppError,
  DEFAULT_AGENTS_PAGE,
  DEFAULT_BREAKDOWN_SERIES,
  DEFAULT_FEED_EVENTS,
  DEFAULT_MAX_POINTS,
  MAX_AGENTS_PAGE,
  MAX_BREAKDOWN_SERIES,
  MAX_FEED_EVENTS,
  MAX_MAX_POINTS,
  MAX_QUERY_EPOCH_MS,
  parseEventCursor,
  type User,
} from '@gasgauge/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { chargedHandle, userPrincipal } from '../ports/read-budget.js';
import type { TownHandle } from '../ports/town.js';
import { townId } from '../towns/router.js';
import { router, toTRPCError, userProcedure } from '../trpc.js';

const epochMs = z.number().int().nonnegative().max(MAX_QUERY_EPOCH_MS);

export const timeseriesInput = z.strictObject({
  townId,
  from: epochMs,
  to: epochMs,
  maxPoints: z.number().int().min(1).max(MAX_MAX_POINTS).default(DEFAULT_MAX_POINTS),
  /** IANA time zone for day buckets (default UTC). */
  tz: z.string().min(1).max(64).optional(),
});

const townInput = z.strictObject({ townId });

export const breakdownInput = timeseriesInput.extend({
  by: z.enum(['agent', 'model']),
  metric: z.enum(['tokens', 'cost']),
  /** Keys with a series of their own; the rest are summed into `other`. */
  limit: z.number().int().min(1).max(MAX_BREAKDOWN_SERIES).default(DEFAULT_BREAKDOWN_SERIES),
});

const agentId = z.string().min(1).max(256);

const agentsInput = z.strictObject({
  townId,
  limit: z.number().int().min(1).max(MAX_AGENTS_PAGE).default(DEFAULT_AGENTS_PAGE),
  cursor: agentId.optional(),
});

const eventsInput = z.strictObject({
  townId,
  limit: z.number().int().min(1).max(MAX_FEED_EVENTS).default(DEFAULT_FEED_EVENTS),
  cursor: z
    .string()
    .max(300)
    .refine((c) => parseEventCursor(c) !== undefined, 'not a cursor from metrics.events')
    .optional(),
});

const eventInput = z.strictObject({ townId, id: z.string().min(1).max(256) });

/**
 * The town's handle, if this user may read it (else not_found, so existence does not leak); the time
 * its calls take is charged to the user's read budget (live pushes too: the stream is not cut, but the
 * user's next reads wait for it).
 */
export async function town(ctx: { deps: ApiDeps; user: User }, townId: string): Promise<TownHandle> {
  await ctx.deps.control.townFor(ctx.user, townId);
  return chargedHandle(ctx.deps.towns.get(townId), ctx.deps.readBudget, userPrincipal(ctx.user.id));
}

export const metricsRouter = router({
  timeseries: userProcedure
    .input(timeseriesInput)
    .query(async ({ ctx, input }) => (await town(ctx, input.townId)).timeseries(input)),

  throughput: userProcedure.input(townInput).query(async ({ ctx, input }) => (await town(ctx, input.townId)).throughput()),

  /** Tokens or cost of the top agents or models (the rest as `other`), at the same step as the timeseries. */
  breakdown: userProcedure
    .input(breakdownInput)
    .query(async ({ ctx, input }) => (await town(ctx, input.townId)).breakdown(input)),

  /** The town's agents by id, a page at a time. */
  agents: userProcedure.input(agentsInput).query(async ({ ctx, input }) => (await town(ctx, input.townId)).agents(input)),

  /** The newest town events first, a page at a time, for the live feed (big note data left out). */
  events: userProcedure.input(eventsInput).query(async ({ ctx, input }) => (await town(ctx, input.townId)).events(input)),

  /** One event whole, with the note data the feed leaves out. */
  event: userProcedure.input(eventInput).query(async ({ ctx, input }) => {
    const event = await (await town(ctx, input.townId)).event(input.id);
    if (!event) throw new AppError('not_found', 'event not found', { path: 'id' });
    return { event };
  }),

  /**
   * Throughput now, then again after every tick and within a second of every ingest. The credential
   * and the user's access to the town are checked again before every push: once the session is signed
   * out or expired (or the API token deleted), the stream sends UNAUTHORIZED and ends; once the user may
   * no longer read the town, NOT_FOUND.
   */
  live: userProcedure.input(townInput).subscription(async ({ ctx, input, signal }) => {
    await town(ctx, input.townId);
    // Refused here, past a bound (429), before the first push: on Workers the town's object is asked first.
    const changes = await ctx.deps.live.changes(input.townId, signal, { who: ctx.user.id });
    // Credential and access again before every push: either may have been revoked since the stream opened.
    const current = async (): Promise<TownHandle> => {
      if (!(await ctx.stillSignedIn()))
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'signed out, session expired or API token deleted; sign in again' });
      // Access too: a member demoted or removed since the stream opened sees the town vanish (not_found).
      try {
        return await town(ctx, input.townId);
      } catch (err) {
        // A subscription's later errors bypass the procedure middleware: map them here.
        throw err instanceof AppError ? toTRPCError(err) : err;
      }
    };
    const pending = changes[Symbol.asyncIterator]();
    const live = ctx.deps.live;
    // Checked for this stream's user, then read once for every stream of the town woken by the same change.
    const push = async () => {
      const handle = await current();
      return live.shared ? live.shared(input.townId, () => handle.throughput()) : handle.throughput();
    };
    return (async function* () {
      try {
        yield await push();
        for await (const _ of { [Symbol.asyncIterator]: () => pending }) yield await push();
      } catch (err) {
        // A host whose bus fails a stream later throws an AppError here, past the middleware that maps it: it was an
        // INTERNAL_SERVER_ERROR.
        throw err instanceof AppError ? toTRPCError(err) : err;
      } finally {
        // When the first push fails, `changes` was never read: it is ended here (its count released), not left to
        // a signal, which tRPC does not abort when a subscription ends by an error (on Workers it never ended).
        await pending.return?.();
      }
    })();
  }),
});
