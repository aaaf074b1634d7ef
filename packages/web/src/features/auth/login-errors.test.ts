import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loginError } from './session.js';

/** The codes the server's sign-in routes send the browser back to /login with (api/src/auth/routes.ts). */
function serverCodes(): string[] {
  const source = readFileSync(new URL('../../../../api/src/auth/routes.ts', import.meta.url), 'utf8');
  return [...source.matchAll(/toLogin\(c, '([a-z_]+)'/g)].map((m) => m[1] as string);
}

describe('the login page’s error codes', () => {
  it('has words for every code the server redirects with', () => {
    const codes = serverCodes();
    expect(codes).toEqual(expect.arrayContaining(['invalid_token', 'link_expired', 'busy']));
    for (const code of codes) expect(loginError(code), code).toMatch(/\w+ \w+/);
  });

  it('says nothing for no code or one it does not know', () => {
    expect(loginError(null)).toBeNull();
    expect(loginError('<script>')).toBeNull();
  });
});
