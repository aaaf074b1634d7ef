import { hashToken, mintSecret, newId, USER_TOKEN_PREFIX } from '@gasgauge/api';
import { AppError, plural } from '@gasgauge/core';
import { type Command, dataDirVouch, nameHelp, withControl } from './command.js';

export const userAdd: Command = {
  usage: 'gasgauge user add NAME [--admin]',
  summary: 'create a user and print its API token once',
  help: `${nameHelp('NAME', 9, "the user's name, which signs in and owns towns")}
  --admin  a server admin: creates users and their tokens and grants credits over the API too,
           and its own towns are exempt from the town quota (the first user, "admin", is one)`,
  options: { admin: { type: 'boolean' } },
  positionals: 1,
  fields: new Map([['name', 'NAME']]),
  async run(values, [name], out) {
    // Users may be added before the first `serve`, so this command may start a data dir.
    const token = await mintSecret(dataDirVouch(values, { create: true }), USER_TOKEN_PREFIX);
    const hash = await hashToken(token);
    const user = withControl(
      values,
      (control) => {
        const u = control.createUser(newId('user'), name as string, values.admin === true);
        control.addToken(u.id, hash, 'cli');
        return u;
      },
      // Users may be added before the first `serve`, so this command may start a data dir.
      { create: true },
    );
    out.result({ user, token }, [`Created user ${user.name} (${user.id}). API token, shown once:`, `  ${token}`]);
    return 0;
  },
};

export const userToken: Command = {
  usage: 'gasgauge user token NAME [--revoke-others]',
  summary: 'issue another API token for an existing user',
  help: `  --revoke-others  the new token replaces all the user's others: their other API tokens, browser
                   sessions and login links stop working at once, also on a running server (a leak)`,
  options: { 'revoke-others': { type: 'boolean' } },
  positionals: 1,
  async run(values, [name], out) {
    const token = await mintSecret(dataDirVouch(values), USER_TOKEN_PREFIX);
    const hash = await hashToken(token);
    const revoke = values['revoke-others'] === true;
    const { user, revoked } = withControl(values, (control) => {
      const u = control.userByName(name as string);
      if (!u) throw new AppError('not_found', `no user named "${name}"`, { path: 'name' });
      if (revoke) return { user: u, revoked: control.replaceTokens(u.id, hash, 'cli') };
      control.addToken(u.id, hash, 'cli');
      return { user: u, revoked: undefined };
    });
    const lines = [`New API token for ${user.name}, shown once:`, `  ${token}`];
    if (revoked)
      lines.push(
        `Revoked ${plural(revoked.revokedTokens, 'other API token')} and ended ${plural(revoked.endedSessions, 'browser session')}.`,
      );
    out.result({ user, token, ...revoked }, lines);
    return 0;
  },
};
