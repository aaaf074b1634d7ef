import { newId } from '@gasgauge/api';
import { AppError } from '@gasgauge/core';
import { orgByName } from './account.js';
import {
  type Command,
  MAX_TOWNS_PER_OWNER_HELP,
  MAX_TOWNS_PER_OWNER_OPTION,
  townQuota,
  UsageError,
  withControl,
} from './command.js';

export const townCreate: Command = {
  usage: 'gasgauge town create NAME --owner USER | --org ORG [--max-towns-per-owner 100]',
  summary: 'create a town owned by a user or by an organisation',
  help: `  --owner USER              the user (by name) who owns the town; their account pays for it
  --org ORG                 the organisation (by name) that owns the town; its account pays for it
                            (give exactly one of the two)
${MAX_TOWNS_PER_OWNER_HELP}`,
  options: { owner: { type: 'string' }, org: { type: 'string' }, ...MAX_TOWNS_PER_OWNER_OPTION },
  positionals: 1,
  async run(values, [name], out) {
    const ownerName = typeof values.owner === 'string' && values.owner !== '' ? values.owner : undefined;
    const orgName = typeof values.org === 'string' && values.org !== '' ? values.org : undefined;
    if ((ownerName === undefined) === (orgName === undefined))
      throw new UsageError('give exactly one of --owner USER and --org ORG');
    const quota = townQuota(values);
    const town = withControl(
      values,
      (control) => {
        if (orgName !== undefined)
          return control.createTown(newId('town'), name as string, { orgId: orgByName(control, orgName).id });
        const owner = control.userByName(ownerName as string);
        if (!owner) throw new AppError('not_found', `no user named "${ownerName}"`, { path: 'owner' });
        return control.createTown(newId('town'), name as string, { userId: owner.id });
      },
      { quota },
    );
    out.result({ town }, [`Created town ${town.name} (${town.id}), owned by ${orgName ?? ownerName}.`]);
    return 0;
  },
};
