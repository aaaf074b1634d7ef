import {
  AppError,
  BEAD_SORTS,
  BEAD_STATUSES,
  DEFAULT_BEADS_PAGE,
  MAX_BEADS_PAGE,
  MAX_QUERY_EPOCH_MS,
  parseBeadCursor,
} from '@gasgauge/core';
import { z } from 'zod';
import { town } from '../metrics/router.js';
import { townId } from '../towns/router.js';
import { router, userProcedure } from '../trpc.js';

const epochMs = z.number().int().nonnegative().max(MAX_QUERY_EPOCH_MS);
export const beadId = z.string().min(1).max(256);

export const beadsListInput = z.strictObject({
  townId,
  from: epochMs.optional(),
  to: epochMs.optional(),
  status: z.enum(BEAD_STATUSES).optional(),
  sort: z.enum(BEAD_SORTS).default('cost'),
  cursor: z
    .string()
    .max(300)
    .refine((c) => parseBeadCursor(c) !== undefined, 'not a cursor from beads.list')
    .optional(),
  limit: z.number().int().min(1).max(MAX_BEADS_PAGE).default(DEFAULT_BEADS_PAGE),
});

export const beadsStatsInput = z.strictObject({ townId, from: epochMs.optional(), to: epochMs.optional() });

/** Cost per bead (issue 12): what each bead cost, one bead's account, closed-bead statistics. */
export const beadsRouter = router({
  /** Beads with activity in [from, to), most expensive first by default, a page at a time. */
  list: userProcedure.input(beadsListInput).query(({ ctx, input }) => town(ctx, input.townId).beads(input)),

  /** One bead: its totals, status times, children, roll-up, timeline and cost over time. */
  get: userProcedure.input(z.strictObject({ townId, beadId })).query(({ ctx, input }) => {
    const bead = town(ctx, input.townId).bead(input.beadId);
    if (!bead) throw new AppError('not_found', 'bead not found', { path: 'beadId' });
    return bead;
  }),

  /** Closed-bead statistics over [from, to), and the spend on no bead. */
  stats: userProcedure.input(beadsStatsInput).query(({ ctx, input }) => town(ctx, input.townId).beadStats(input)),
});
