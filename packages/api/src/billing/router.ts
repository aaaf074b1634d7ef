import {
  AppError,
  assertMayGrant,
  MAX_ALERT_PAGE,
  MAX_GRANT_MICRODOLLARS,
  MAX_LEDGER_PAGE,
  MAX_NOTE_LENGTH,
} from '@gasgauge/core';
import { z } from 'zod';
import { organizationId } from '../towns/router.js';
import { router, userProcedure } from '../trpc.js';

/** Without organizationId: the caller's personal account. */
const accountInput = z.strictObject({ organizationId: organizationId.optional() });

/** The amount bound is core's (Ledger.grant), so input validation refuses exactly what the ledger would. */
export const grantInput = z
  .strictObject({
    userName: z.string().min(1).max(64).optional(),
    organizationId: organizationId.optional(),
    amountMicrodollars: z.number().int().positive().max(MAX_GRANT_MICRODOLLARS),
    note: z.string().max(MAX_NOTE_LENGTH).optional(),
  })
  .refine((v) => (v.userName === undefined) !== (v.organizationId === undefined), {
    message: 'give exactly one of userName and organizationId',
    path: ['userName'],
  });

export const billingRouter = router({
  /** The gas tank: balance, burn over the rolling hour and the last 24 h, seconds to empty. */
  balance: userProcedure.input(accountInput.prefault({})).query(async ({ ctx, input }) => {
    const account = await ctx.deps.control.accountFor(ctx.user, input.organizationId, 'readBalance');
    return ctx.deps.control.gasTank(account, ctx.deps.clock());
  }),

  /** Ledger entries, newest first; pass `nextCursor` back as `before` for the next page. */
  ledger: userProcedure
    .input(
      accountInput
        .extend({
          limit: z.number().int().min(1).max(MAX_LEDGER_PAGE).default(50),
          before: z.number().int().positive().optional(),
        })
        .prefault({}),
    )
    .query(async ({ ctx, input }) => {
      const account = await ctx.deps.control.accountFor(ctx.user, input.organizationId, 'readLedger');
      return ctx.deps.control.ledgerEntries(account, input.limit, input.before);
    }),

  /** Low-balance and budget alerts of the account, newest first, with their webhook delivery state. */
  alerts: userProcedure
    .input(accountInput.extend({ limit: z.number().int().min(1).max(MAX_ALERT_PAGE).default(50) }).prefault({}))
    .query(async ({ ctx, input }) => {
      const account = await ctx.deps.control.accountFor(ctx.user, input.organizationId, 'readLedger');
      return { alerts: await ctx.deps.control.alerts(account, input.limit) };
    }),

  alertSettings: userProcedure.input(accountInput.prefault({})).query(async ({ ctx, input }) => {
    const account = await ctx.deps.control.accountFor(ctx.user, input.organizationId, 'manageBilling');
    return ctx.deps.control.alertSettings(account);
  }),

  /** The low-balance threshold and the webhook alerts are POSTed to (`webhookUrl: null` removes it). */
  setAlertSettings: userProcedure
    .input(
      accountInput.extend({
        lowBalanceMicrodollars: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
        webhookUrl: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .nullable()
          .optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const account = await ctx.deps.control.accountFor(ctx.user, input.organizationId, 'manageBilling');
      return ctx.deps.control.configureAlerts(account, input, ctx.deps.allowPrivateWebhooks === true);
    }),

  /** Adds credits to a user's or an organisation's account (server admins only). */
  grant: userProcedure.input(grantInput).mutation(async ({ ctx, input }) => {
    assertMayGrant(ctx.user);
    const { control } = ctx.deps;
    let account: string;
    if (input.userName !== undefined) {
      const user = await control.userByName(input.userName);
      if (!user) throw new AppError('not_found', `no user named "${input.userName}"`, { path: 'userName' });
      account = user.id;
    } else {
      const org = await control.orgById(input.organizationId as string);
      if (!org) throw new AppError('not_found', 'organisation not found', { path: 'organizationId' });
      account = org.id;
    }
    const entry = await control.grant(account, input.amountMicrodollars, ctx.deps.clock(), input.note);
    for (const townId of await control.townIdsOfAccount(account)) await ctx.deps.live.publish(townId);
    return entry;
  }),
});
