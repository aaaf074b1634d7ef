import { BUDGET_PERIODS, type ListedTown, MAX_RUNAWAY_MICRODOLLARS, MAX_RUNAWAY_MINUTES } from '@gasgauge/core';
import { z } from 'zod';
import { mintIngestKey, revokeIngestKey } from '../auth/ingest-key.js';
import { MAX_INGEST_TTL_SECONDS, mintIngestToken } from '../auth/ingest-token.js';
import { hashToken, newId } from '../auth/user-token.js';
import type { ApiDeps } from '../deps.js';
import { router, userProcedure } from '../trpc.js';

export const townId = z.string().min(1).max(64);
/** Towns in one page of `towns.list`, at most (and by default). */
export const MAX_TOWNS_PAGE = 100;
export const organizationId = z.string().min(1).max(64);
const keyName = z.string().min(1).max(64);
const runawayMinutes = z.number().int().min(1).max(MAX_RUNAWAY_MINUTES);
const runawayMicrodollars = z.number().int().min(0).max(MAX_RUNAWAY_MICRODOLLARS);

export const runawayRulesInput = z.strictObject({
  townId,
  spendRate: z.strictObject({ enabled: z.boolean(), microdollars: runawayMicrodollars.min(1), windowMinutes: runawayMinutes }),
  noProgress: z.strictObject({ enabled: z.boolean(), minutes: runawayMinutes, minMicrodollars: runawayMicrodollars }),
  beadBudgetMicrodollars: runawayMicrodollars.min(1).nullable(),
});

/**
 * A town as `list` and `get` give it: with the name of the organisation that owns it (`ownerOrgName`, null
 * for a personal town, read by the control store with the town), so two towns of one name in two
 * organisations can be told apart, and its tick health.
 */
async function listedTown(deps: ApiDeps, town: ListedTown) {
  return { ...town, tick: (await deps.tickHealth?.(town.id)) ?? null };
}

export const townsRouter = router({
  /**
   * The towns this user may read: their own and their organisations', by creation, a page of at most
   * `limit` after the town `after` (the last one of the previous page; a shorter page is the last). Each
   * with how its ticks have gone (`tick`: last success, failures in a row, last error, next retry), or
   * null on a host without a scheduler. Paged because each town's tick health is its own read (a town
   * file on Node, a Durable Object call on Workers): 2,000 towns in one answer took 5 s on Node.
   */
  list: userProcedure
    .input(
      z
        .strictObject({ limit: z.number().int().min(1).max(MAX_TOWNS_PAGE).default(MAX_TOWNS_PAGE), after: townId.optional() })
        .optional(),
    )
    .query(async ({ ctx, input }) => {
      const towns = await ctx.deps.control.townsOf(ctx.user.id, { limit: input?.limit ?? MAX_TOWNS_PAGE, after: input?.after });
      return Promise.all(towns.map((town) => listedTown(ctx.deps, town)));
    }),

  /**
   * One town this user may read, as `list` gives it (404 on `townId` otherwise): what a town's page needs
   * (its name, its owner), without reading every page of the list, which grows with the user's towns.
   */
  get: userProcedure.input(z.strictObject({ townId })).query(async ({ ctx, input }) => {
    return listedTown(ctx.deps, await ctx.deps.control.townFor(ctx.user, input.townId));
  }),

  /** A personal town, or with `organizationId` one of the organisation's (owners and admins). */
  create: userProcedure
    .input(z.strictObject({ name: z.string().min(1).max(64), organizationId: organizationId.optional() }))
    .mutation(async ({ ctx, input }) => {
      const { control } = ctx.deps;
      const owner =
        input.organizationId === undefined
          ? { userId: ctx.user.id }
          : { orgId: (await control.orgFor(ctx.user, input.organizationId, 'manageTowns')).id };
      return control.createTown(newId('town'), input.name, owner);
    }),

  mintIngestToken: userProcedure
    .input(
      z.strictObject({
        townId,
        agentId: z.string().min(1).max(256).optional(),
        ttlSeconds: z.number().int().min(1).max(MAX_INGEST_TTL_SECONDS).default(MAX_INGEST_TTL_SECONDS),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.control.townFor(ctx.user, input.townId);
      // Bound to the credential used: it writes only while that holds and the user may read the town.
      const holder = { userId: ctx.user.id, credential: ctx.credential };
      return mintIngestToken(ctx.deps.secret, { ...input, now: ctx.deps.clock(), holder });
    }),

  /**
   * A long-lived ingest key (`ggi_…`) for OpenTelemetry exporters, returned once; only its hash is
   * kept. Town owners and admins; with `agentId` the key writes only that agent's data.
   */
  createKey: userProcedure
    .input(
      z.strictObject({
        townId,
        name: keyName,
        agentId: z.string().min(1).max(256).optional(),
        kind: z.enum(['ingest', 'scrape']).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.control.townFor(ctx.user, input.townId, 'manageTowns');
      const kind = input.kind ?? 'ingest';
      const key = await mintIngestKey(ctx.deps.vouch, kind);
      const info = await ctx.deps.control.createIngestKey(
        await hashToken(key),
        input.townId,
        input.name,
        input.agentId ?? null,
        kind,
      );
      return { key, ...info };
    }),

  /** The town's ingest keys: name, agent, created and last used (to the minute); never the keys themselves. */
  listKeys: userProcedure.input(z.strictObject({ townId })).query(async ({ ctx, input }) => {
    await ctx.deps.control.townFor(ctx.user, input.townId, 'manageTowns');
    return ctx.deps.control.listIngestKeys(input.townId);
  }),

  /** Revokes a key by name: its next request gets a 401 (through another Worker isolate, within KEY_CACHE_TTL_MS). */
  revokeKey: userProcedure.input(z.strictObject({ townId, name: keyName })).mutation(async ({ ctx, input }) => {
    await ctx.deps.control.townFor(ctx.user, input.townId, 'manageTowns');
    await revokeIngestKey(ctx.deps.control, input.townId, input.name);
    return { revoked: true };
  }),

  /**
   * A spending cap per day, week or month (calendar of `tz`, default UTC); `capMicrodollars: null`
   * removes it. Crossing 80 % and 100 % records a budget event and alerts the owning account; ingest
   * never drops data because of a budget.
   */
  setBudget: userProcedure
    .input(
      z.strictObject({
        townId,
        period: z.enum(BUDGET_PERIODS),
        capMicrodollars: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable(),
        tz: z.string().min(1).max(64).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await ctx.deps.control.townFor(ctx.user, input.townId, 'manageTowns');
      const town = ctx.deps.towns.get(input.townId);
      const budget = await town.setBudget(
        input.capMicrodollars === null ? null : { period: input.period, capMicrodollars: input.capMicrodollars, tz: input.tz },
      );
      ctx.deps.onBudget?.(input.townId);
      await ctx.deps.live.publish(input.townId);
      return { budget };
    }),

  /** The town's runaway rules (defaults until set) and the episodes under way. */
  getRunawayRules: userProcedure.input(z.strictObject({ townId })).query(async ({ ctx, input }) => {
    await ctx.deps.control.townFor(ctx.user, input.townId);
    const { rules, episodes } = await ctx.deps.towns.get(input.townId).runawayRules();
    return { ...rules, episodes };
  }),

  /**
   * Per-agent spend rate, spending without progress, and a per-bead budget (80 % and 100 %): each
   * raises one alert per episode and a `runaway` town event, evaluated on the tick. Ingest never drops
   * data because of a rule.
   */
  setRunawayRules: userProcedure.input(runawayRulesInput).mutation(async ({ ctx, input }) => {
    await ctx.deps.control.townFor(ctx.user, input.townId, 'manageTowns');
    const { townId: id, ...rules } = input;
    const saved = await ctx.deps.towns.get(id).setRunawayRules(rules);
    ctx.deps.onBudget?.(id);
    await ctx.deps.live.publish(id);
    return saved;
  }),
});
