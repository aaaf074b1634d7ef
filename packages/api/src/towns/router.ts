import { z } from 'zod';
import { MAX_INGEST_TTL_SECONDS, mintIngestToken } from '../auth/ingest-token.js';
import { newId } from '../auth/user-token.js';
import { router, userProcedure } from '../trpc.js';

export const townId = z.string().min(1).max(64);

export const townsRouter = router({
  list: userProcedure.query(({ ctx }) => ctx.deps.control.townsOf(ctx.user.id)),

  create: userProcedure
    .input(z.strictObject({ name: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => ctx.deps.control.createTown(newId('town'), input.name, ctx.user.id)),

  mintIngestToken: userProcedure
    .input(
      z.strictObject({
        townId,
        agentId: z.string().min(1).max(256).optional(),
        ttlSeconds: z.number().int().min(1).max(MAX_INGEST_TTL_SECONDS).default(MAX_INGEST_TTL_SECONDS),
      }),
    )
    .mutation(({ ctx, input }) => {
      ctx.deps.control.readableTown(ctx.user.id, input.townId);
      return mintIngestToken(ctx.deps.secret, { ...input, now: ctx.deps.clock() });
    }),
});
