import { newId } from '@gasgauge/api';
import { AppError } from '@gasgauge/core';
import { type Command, required, withControl } from './command.js';

export const townCreate: Command = {
  usage: 'gasgauge town create NAME --owner USER',
  summary: 'create a town owned by a user',
  options: { owner: { type: 'string' } },
  positionals: 1,
  async run(values, [name], out) {
    const ownerName = required(values, 'owner');
    const town = withControl(values, (control) => {
      const owner = control.userByName(ownerName);
      if (!owner) throw new AppError('not_found', `no user named "${ownerName}"`, { path: 'owner' });
      return control.createTown(newId('town'), name as string, { userId: owner.id });
    });
    out.result({ town }, [`Created town ${town.name} (${town.id}).`]);
    return 0;
  },
};
