import { newId } from '@gasgauge/api';
import { AppError, type Control, type TownInfo } from '@gasgauge/core';
import { orgByName } from './account.js';
import {
  type Command,
  MAX_TOWNS_PER_OWNER_HELP,
  MAX_TOWNS_PER_OWNER_OPTION,
  nameHelp,
  townQuota,
  UsageError,
  withControl,
} from './command.js';

export const townCreate: Command = {
  usage: 'gasgauge town create NAME --owner USER | --org ORG [--max-towns-per-owner 100]',
  summary: 'create a town owned by a user or by an organisation',
  help: `${nameHelp('NAME', 26, "the town's name (its id is made for it)")}
  --owner USER              the user (by name) who owns the town; their account pays for it
  --org ORG                 the organisation (by name) that owns the town; its account pays for it
                            (give exactly one of the two)
${MAX_TOWNS_PER_OWNER_HELP}`,
  options: { owner: { type: 'string' }, org: { type: 'string' }, ...MAX_TOWNS_PER_OWNER_OPTION },
  positionals: 1,
  fields: new Map([['name', 'NAME']]),
  async run(values, [name], out) {
    const ownerName = typeof values.owner === 'string' && values.owner !== '' ? values.owner : undefined;
    const orgName = typeof values.org === 'string' && values.org !== '' ? values.org : undefined;
    if ((ownerName === undefined) === (orgName === undefined))
      throw new UsageError('give exactly one of --owner USER and --org ORG');
    const quota = townQuota(values);
    const town = withControl(
      values,
      (control) => {
        const created =
          orgName !== undefined
            ? control.createTown(newId('town'), name as string, { orgId: orgByName(control, orgName).id })
            : control.createTown(newId('town'), name as string, { userId: userNamed(control, ownerName as string).id });
        // As `town list` gives it: a script reads who owns the town without looking the id up.
        return { ...created, owner: ownerOf(control, created) };
      },
      { quota },
    );
    out.result({ town }, [`Created town ${town.name} (${town.id}), owned by ${orgName ?? ownerName}.`]);
    return 0;
  },
};

function userNamed(control: Control, name: string) {
  const user = control.userByName(name);
  if (!user) throw new AppError('not_found', `no user named "${name}"`, { path: 'owner' });
  return user;
}

/** A town's owner as the CLI names it: `user admin`, `organisation acme`. */
function ownerOf(control: Control, town: TownInfo): { kind: 'user' | 'org'; name: string } {
  if (town.ownerOrgId !== null) return { kind: 'org', name: control.orgs.byId(town.ownerOrgId)?.name ?? town.ownerOrgId };
  const userId = town.ownerUserId as string;
  return { kind: 'user', name: control.userById(userId)?.name ?? userId };
}

export const townList: Command = {
  usage: 'gasgauge town list [--owner USER | --org ORG]',
  summary: 'list the towns: id, name, owner and when each was created',
  help: `  --owner USER  only the towns this user owns (their personal towns)
  --org ORG     only the towns this organisation owns`,
  options: { owner: { type: 'string' }, org: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const ownerName = typeof values.owner === 'string' && values.owner !== '' ? values.owner : undefined;
    const orgName = typeof values.org === 'string' && values.org !== '' ? values.org : undefined;
    if (ownerName !== undefined && orgName !== undefined) throw new UsageError('give at most one of --owner USER and --org ORG');
    const towns = withControl(values, (control) => {
      let ownerId: string | undefined;
      if (orgName !== undefined) ownerId = orgByName(control, orgName).id;
      if (ownerName !== undefined) ownerId = userNamed(control, ownerName).id;
      // One lookup per owner, not per town: a self-hoster's 10,000 towns have a handful of owners.
      const owners = new Map<string, { kind: 'user' | 'org'; name: string }>();
      const owner = (t: TownInfo) => {
        const id = t.ownerOrgId !== null ? `org:${t.ownerOrgId}` : `user:${t.ownerUserId}`;
        const known = owners.get(id) ?? ownerOf(control, t);
        owners.set(id, known);
        return known;
      };
      return control
        .allTowns()
        .filter((t) => ownerId === undefined || t.ownerUserId === ownerId || t.ownerOrgId === ownerId)
        .map((t) => ({ ...t, owner: owner(t) }));
    });
    const lines = towns.map(
      (t) =>
        `${t.id}\t${t.name}\towned by ${t.owner.kind === 'org' ? 'organisation' : 'user'} ${t.owner.name}\tcreated ${new Date(t.createdAt).toISOString()}`,
    );
    out.result({ towns }, lines.length > 0 ? lines : ['No towns.']);
    return 0;
  },
};
