import { AppError, type User } from '@gasgauge/core';
import { z } from 'zod';
import { mintSecret } from '../auth/credential-vouch.js';
import { hashToken, newId, USER_TOKEN_PREFIX } from '../auth/user-token.js';
import { router, userProcedure } from '../trpc.js';

const userName = z.string().min(1).max(64);

/** Only a server admin manages users: a host without a CLI (Workers) creates them over HTTP. */
function assertAdmin(user: User): void {
  if (!user.isAdmin) throw new AppError('forbidden', 'only a server admin may manage users');
}

/** Users over HTTP, as `gasgauge user add` and `gasgauge user token` do on a Node host's data dir. */
export const usersRouter = router({
  /** A new user and its API token, shown once. */
  create: userProcedure
    .input(z.strictObject({ name: userName, admin: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      assertAdmin(ctx.user);
      const token = await mintSecret(ctx.deps.vouch, USER_TOKEN_PREFIX);
      const hash = await hashToken(token);
      const user = await ctx.deps.control.createUser(newId('user'), input.name, input.admin === true, hash, 'api');
      return { user, token };
    }),

  /**
   * Another API token for an existing user, shown once. With `revokeOthers`, it replaces all of them:
   * the user's other API tokens, browser sessions and login links stop working at once.
   */
  mintToken: userProcedure
    .input(z.strictObject({ name: userName, revokeOthers: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      assertAdmin(ctx.user);
      const { control } = ctx.deps;
      const user = await control.userByName(input.name);
      if (!user) throw new AppError('not_found', `no user named "${input.name}"`, { path: 'name' });
      const token = await mintSecret(ctx.deps.vouch, USER_TOKEN_PREFIX);
      const hash = await hashToken(token);
      if (!input.revokeOthers) {
        await control.addToken(user.id, hash, 'api');
        return { user, token };
      }
      return { user, token, ...(await control.replaceTokens(user.id, hash, 'api')) };
    }),
});
