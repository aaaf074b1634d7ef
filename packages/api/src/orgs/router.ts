import { AppError, ROLES } from '@gasgauge/core';
import { z } from 'zod';
import { newId } from '../auth/user-token.js';
import { organizationId } from '../towns/router.js';
import { router, userProcedure } from '../trpc.js';

export const orgsRouter = router({
  /** The organisations this user belongs to, with their role in each. */
  list: userProcedure.query(({ ctx }) => ctx.deps.control.orgsOf(ctx.user.id)),

  /** A new organisation; its creator is its first owner. */
  create: userProcedure
    .input(z.strictObject({ name: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => ctx.deps.control.createOrg(newId('org'), input.name, ctx.user.id)),

  members: userProcedure.input(z.strictObject({ organizationId })).query(async ({ ctx, input }) => {
    const org = await ctx.deps.control.orgFor(ctx.user, input.organizationId, 'readBalance');
    return { members: await ctx.deps.control.orgMembers(org.id) };
  }),

  /** Leaves an organization (your own name), or removes a member (owners and admins; only an owner removes an owner). */
  removeMember: userProcedure
    .input(z.strictObject({ organizationId, userName: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const { control } = ctx.deps;
      await control.orgFor(ctx.user, input.organizationId, 'readBalance');
      const target = await control.userByName(input.userName);
      if (!target) throw new AppError('not_found', `no user named "${input.userName}"`, { path: 'userName' });
      await control.removeOrgMember(ctx.user, input.organizationId, target.id);
      return { removed: true as const };
    }),

  /** Adds a user by name, or changes their role (owners and admins; only an owner touches owners). */
  setMember: userProcedure
    .input(z.strictObject({ organizationId, userName: z.string().min(1).max(64), role: z.enum(ROLES) }))
    .mutation(async ({ ctx, input }) => {
      const { control } = ctx.deps;
      await control.orgFor(ctx.user, input.organizationId, 'manageMembers');
      const target = await control.userByName(input.userName);
      if (!target) throw new AppError('not_found', `no user named "${input.userName}"`, { path: 'userName' });
      await control.assertMayAssignRole(ctx.user, input.organizationId, target.id, input.role);
      return control.setOrgMember(input.organizationId, target.id, input.role);
    }),
});
