import { AppError, DEFAULT_MEMBERS_PAGE, MAX_MEMBERS_PAGE, MAX_ORGS_PAGE, type Membership, ROLES } from '@gasgauge/core';
import { z } from 'zod';
import { newId } from '../auth/user-token.js';
import { organizationId } from '../towns/router.js';
import { router, userProcedure } from '../trpc.js';

/** A page of a user's organisations or invitations, by organisation name. */
const byOrgName = z
  .strictObject({
    limit: z.number().int().min(1).max(MAX_ORGS_PAGE).default(MAX_ORGS_PAGE),
    after: z.string().min(1).max(64).optional(),
  })
  .optional();
const orgPage = (input: z.infer<typeof byOrgName>) => ({ limit: input?.limit ?? MAX_ORGS_PAGE, after: input?.after });

export const orgsRouter = router({
  /** A page of the organisations this user belongs to by name, with their role in each; a shorter page is the last. */
  list: userProcedure.input(byOrgName).query(({ ctx, input }) => ctx.deps.control.orgsOf(ctx.user.id, orgPage(input))),

  /** A new organisation; its creator is its first owner. */
  create: userProcedure
    .input(z.strictObject({ name: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => ctx.deps.control.createOrg(newId('org'), input.name, ctx.user.id)),

  /** A page of the members by user name: an organisation of thousands is read a page at a time. */
  members: userProcedure
    .input(
      z.strictObject({
        organizationId,
        limit: z.number().int().min(1).max(MAX_MEMBERS_PAGE).default(DEFAULT_MEMBERS_PAGE),
        after: z.string().min(1).max(64).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const org = await ctx.deps.control.orgFor(ctx.user, input.organizationId, 'readBalance');
      return ctx.deps.control.orgMembers(org.id, { limit: input.limit, after: input.after });
    }),

  /**
   * Leaves an organisation (your own name), or removes a member (owners and admins; only an owner removes
   * an owner). A name that is no user is answered as one that is no member, after the same checks.
   */
  removeMember: userProcedure
    .input(z.strictObject({ organizationId, userName: z.string().min(1).max(64) }))
    .mutation(async ({ ctx, input }) => {
      const { control } = ctx.deps;
      await control.orgFor(ctx.user, input.organizationId, 'readBalance');
      const target = await control.userByName(input.userName);
      if (!target) {
        await control.assertMayAssignRole(ctx.user, input.organizationId, '', 'member');
        throw notMember();
      }
      await control.removeOrgMember(ctx.user, input.organizationId, target.id);
      return { removed: true as const };
    }),

  /**
   * Changes a member's role, or invites someone who is not a member (owners and admins; only an owner
   * touches owners). An invitation is answered `{invited: true}` whether or not the name is a user, so
   * an owner cannot learn which user names exist; the invitee joins by accepting (acceptInvitation).
   */
  setMember: userProcedure
    .input(z.strictObject({ organizationId, userName: z.string().min(1).max(64), role: z.enum(ROLES) }))
    .mutation(async ({ ctx, input }) => {
      const { control } = ctx.deps;
      const org = await control.orgFor(ctx.user, input.organizationId, 'manageMembers');
      // Members are visible to whoever manages them (orgs.members), so a member's answer may differ.
      const member = await control.orgMemberByName(org.id, input.userName);
      if (member) {
        await control.assertMayAssignRole(ctx.user, org.id, member.userId, input.role);
        return control.setOrgMember(org.id, member.userId, input.role);
      }
      // No user id is '': the same check as for a user who is not a member.
      await control.assertMayAssignRole(ctx.user, org.id, '', input.role);
      await control.inviteOrgMember(org.id, input.userName, input.role, ctx.user.id);
      return { invited: true as const, userName: input.userName, role: input.role };
    }),

  /** The caller's pending invitations. */
  invitations: userProcedure
    .input(byOrgName)
    .query(({ ctx, input }) => ctx.deps.control.orgInvitations(ctx.user.id, orgPage(input))),

  /** Joins an organisation the caller was invited to, with the invited role (404 without an invitation). */
  acceptInvitation: userProcedure.input(z.strictObject({ organizationId })).mutation(async ({ ctx, input }) => ({
    membership: (await ctx.deps.control.answerOrgInvitation(ctx.user.id, input.organizationId, true)) as Membership,
  })),

  /** Declines an invitation (404 without one). */
  declineInvitation: userProcedure.input(z.strictObject({ organizationId })).mutation(async ({ ctx, input }) => {
    await ctx.deps.control.answerOrgInvitation(ctx.user.id, input.organizationId, false);
    return { declined: true as const };
  }),
});

const notMember = () => new AppError('not_found', 'not a member of this organisation', { path: 'userName' });
