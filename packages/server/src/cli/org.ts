import { newId } from '@gasgauge/api';
import { AppError, ROLES } from '@gasgauge/core';
import { orgByName } from './account.js';
import { type Command, nameHelp, required, withControl } from './command.js';

export const orgCreate: Command = {
  usage: 'gasgauge org create NAME --owner USER',
  summary: 'create an organisation, with a user as its first owner',
  help: `${nameHelp('NAME', 14, "the organisation's name")}
  --owner USER  the user (by name) who becomes the organisation's first owner`,
  options: { owner: { type: 'string' } },
  positionals: 1,
  fields: new Map([['name', 'NAME']]),
  async run(values, [name], out) {
    const ownerName = required(values, 'owner');
    const org = withControl(values, (control) => {
      const owner = control.userByName(ownerName);
      if (!owner) throw new AppError('not_found', `no user named "${ownerName}"`, { path: 'owner' });
      return control.orgs.create(newId('org'), name as string, owner.id);
    });
    out.result({ org }, [`Created organisation ${org.name} (${org.id}), owned by ${ownerName}.`]);
    return 0;
  },
};

export const orgAddMember: Command = {
  usage: 'gasgauge org add-member ORG USER --role ROLE',
  summary: "add a user to an organisation, or change a member's role",
  help: `  ORG          the organisation, by name
  USER         the user, by name
  --role ROLE  one of ${ROLES.join(', ')} (an organisation always keeps one owner)`,
  options: { role: { type: 'string' } },
  positionals: 2,
  fields: new Map([['role', '--role']]),
  async run(values, [orgName, userName], out) {
    const role = required(values, 'role');
    const membership = withControl(values, (control) => {
      const org = orgByName(control, orgName as string);
      const user = control.userByName(userName as string);
      if (!user) throw new AppError('not_found', `no user named "${userName}"`, { path: 'user' });
      return control.orgs.setMember(org.id, user.id, role);
    });
    out.result({ membership }, [`${userName} is now ${membership.role} of ${orgName}.`]);
    return 0;
  },
};

export const orgRemoveMember: Command = {
  usage: 'gasgauge org remove-member ORG USER',
  summary: 'remove a user from an organisation (its last owner stays)',
  help: `  ORG   the organisation, by name
  USER  the member, by name`,
  options: {},
  positionals: 2,
  async run(values, [orgName, userName], out) {
    withControl(values, (control) => {
      const org = orgByName(control, orgName as string);
      const user = control.userByName(userName as string);
      if (!user) throw new AppError('not_found', `no user named "${userName}"`, { path: 'user' });
      control.orgs.removeMember(org.id, user.id);
    });
    out.result({ removed: { org: orgName, user: userName } }, [`${userName} is no longer a member of ${orgName}.`]);
    return 0;
  },
};
