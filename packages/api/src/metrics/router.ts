import { AppError, DEFAULT_MAX_POINTS, MAX_FEED_EVENTS, MAX_MAX_POINTS, type Town, townFor, type User } from '@gasgauge/core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { townId } from '../towns/router.js';
import { router, toTRPCError, userProcedure } from '../trpc.js';

const epochMs = z.number().int().nonnegative();

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
});

const eventsInput = z.strictObject({ townId, limit: z.number().int().min(1).max(MAX_FEED_EVENTS).default(50) });

/** The town's actor, if this user may read it (else not_found, so existence does not leak). */
function town(ctx: { deps: ApiDeps; user: User }, townId: string): Town {
  townFor(ctx.deps.control, ctx.user, townId);
  return ctx.deps.towns.get(townId);
}

export const metricsRouter = router({
  timeseries: userProcedure.input(timeseriesInput).query(({ ctx, input }) => town(ctx, input.townId).timeseries(input)),

  throughput: userProcedure.input(townInput).query(({ ctx, input }) => town(ctx, input.townId).throughput()),

  /** Tokens or cost per agent or per model, at the same step as the timeseries. */
  breakdown: userProcedure.input(breakdownInput).query(({ ctx, input }) => town(ctx, input.townId).breakdown(input)),

  agents: userProcedure.input(townInput).query(({ ctx, input }) => ({ agents: town(ctx, input.townId).agents() })),

  /** The newest town events first, for the live feed. */
  events: userProcedure.input(eventsInput).query(({ ctx, input }) => ({ events: town(ctx, input.townId).events(input.limit) })),

  /**
   * Throughput now, then again after every tick and within a second of every ingest. The credential
   * and the user's access to the town are checked again before every push: once the session is signed
   * out or expired (or the API token deleted), the stream sends UNAUTHORIZED and ends; once the user may
   * no longer read the town, NOT_FOUND.
   */
  live: userProcedure.input(townInput).subscription(({ ctx, input, signal }) => {
    town(ctx, input.townId);
    const changes = ctx.deps.live.changes(input.townId, signal);
    // The town again before every push, never a handle kept across awaits: the host may have closed it meanwhile.
    const current = (): Town => {
      if (!ctx.stillSignedIn())
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'signed out, session expired or API token deleted; sign in again' });
      // Access too: a member demoted or removed since the stream opened sees the town vanish (not_found).
      try {
        return town(ctx, input.townId);
      } catch (err) {
        // A subscription's later errors bypass the procedure middleware: map them here.
        throw err instanceof AppError ? toTRPCError(err) : err;
      }
    };
    return (async function* () {
      yield current().throughput();
      for await (const _ of changes) yield current().throughput();
    })();
  }),
});
