import { createLoginLink, safeNextPath } from '@gasgauge/api';
import { AppError, LOGIN_LINK_TTL_MS, Sessions } from '@gasgauge/core';
import { type Command, openControl, openDataDir, required, UsageError, vouchOf } from './command.js';

export const loginLink: Command = {
  usage: 'gasgauge login-link --user NAME [--next PATH] [--url URL]',
  summary: `print a one-time URL that signs a user in to the web UI (it expires in ${LOGIN_LINK_TTL_MS / 60_000} minutes)`,
  help: `  --user NAME  the user the link signs in
  --next PATH  the page to open once signed in, a path on the server (/towns/ID; at most 512
               printable ASCII characters); default: the towns
  --url URL    the server's address as the browser reaches it, http(s)://host[:port] (no path);
               default: where the server on --data listens (DATA/server.json), else http://127.0.0.1:8787`,
  options: { user: { type: 'string' }, next: { type: 'string' }, url: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const name = required(values, 'user');
    const next = typeof values.next === 'string' ? values.next : undefined;
    // What the server would drop from the link (it then opens the towns page): `//host`, a space, over 512 characters.
    if (next !== undefined && safeNextPath(next) === null) {
      const shown = next.length > 60 ? `${next.slice(0, 60)}…` : next;
      throw new UsageError(
        `--next must be a path on the server, like /towns/ID (at most 512 printable ASCII characters, not starting //), not ${JSON.stringify(shown)}`,
      );
    }
    if (typeof values.url === 'string' && !isHttpUrl(values.url)) {
      // `localhost:8787` would make a link no browser opens (its scheme would be `localhost:`).
      throw new UsageError(`--url must be a URL like https://gauge.example.com, not "${values.url}"`);
    }
    if (typeof values.url === 'string' && !isOrigin(values.url)) {
      // `https://gauge.example.com?x=1` made `…?x=1/auth/link?code=…`, and a path made a link under a prefix the
      // server does not answer on (it answers on /, as --public-url says).
      throw new UsageError(
        `--url must be http(s)://host[:port] with no path, query or credentials (the server answers on /), not ${JSON.stringify(values.url)}`,
      );
    }
    const dataDir = openDataDir(values);
    const { sql, control } = openControl(dataDir);
    let link: { path: string; expiresAt: number };
    try {
      const user = control.userByName(name);
      if (!user) throw new AppError('not_found', `no user named "${name}"`, { path: 'user' });
      link = await createLoginLink(new Sessions(sql, () => Date.now()), user.id, next, vouchOf(dataDir));
    } finally {
      sql.close();
    }
    // The running server's own URL (it writes it into the data dir), so the link names the right port.
    const base = typeof values.url === 'string' ? values.url : (dataDir.serverUrl() ?? 'http://127.0.0.1:8787');
    const url = base.replace(/\/+$/, '') + link.path;
    // After a crash server.json names a server that is gone, and the link led nowhere without a word.
    if (typeof values.url !== 'string' && dataDir.serverRunning() === false) {
      console.error(
        `gasgauge login-link: no server is running on ${dataDir.root}; the link works once one answers at ${base} (within ${LOGIN_LINK_TTL_MS / 60_000} minutes)`,
      );
    }
    out.result({ url, expiresAt: link.expiresAt }, [url]);
    return 0;
  },
};

/** Nothing after the host but a `/`: what `serve --public-url` takes. */
function isOrigin(value: string): boolean {
  const url = new URL(value);
  return url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
