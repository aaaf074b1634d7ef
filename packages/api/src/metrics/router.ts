import { DEFAULT_MAX_POINTS, MAX_MAX_POINTS } from '@gasgauge/core';
import { z } from 'zod';
import { townId } from '../towns/router.js';
import { router, userProcedure } from '../trpc.js';

const epochMs = z.number().int().nonnegative();

export const timeseriesInput = z.strictObject({
  townId,
  from: epochMs,
  to: epochMs,
  maxPoints: z.number().int().min(1).max(MAX_MAX_POINTS).default(DEFAULT_MAX_POINTS),
});

const townInput = z.strictObject({ townId });

export const metricsRouter = router({
  timeseries: userProcedure.input(timeseriesInput).query(({ ctx, input }) => {
    ctx.deps.control.readableTown(ctx.user.id, input.townId);
    return ctx.deps.towns.get(input.townId).timeseries(input);
  }),

  throughput: userProcedure.input(townInput).query(({ ctx, input }) => {
    ctx.deps.control.readableTown(ctx.user.id, input.townId);
    return ctx.deps.towns.get(input.townId).throughput();
  }),

  /** Throughput now, then again after every tick and within a second of every ingest. */
  live: userProcedure.input(townInput).subscription(({ ctx, input, signal }) => {
    ctx.deps.control.readableTown(ctx.user.id, input.townId);
    const town = ctx.deps.towns.get(input.townId);
    const changes = ctx.deps.live.changes(input.townId, signal);
    return (async function* () {
      yield town.throughput();
      for await (const _ of changes) yield town.throughput();
    })();
  }),
});
