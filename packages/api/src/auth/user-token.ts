/**
 * User API tokens: `ggu_` + 32 random bytes + the host's tag (auth/credential-vouch.ts), base64url. Only their
 * SHA-256 is stored. Tokens made before tags have no tag (43 characters after the prefix) and stay valid.
 */
export const USER_TOKEN_PREFIX = 'ggu_';

/** The random part of every secret minted (a host's tag follows it: auth/credential-vouch.ts). */
export const SECRET_RANDOM_BYTES = 32;

/** A secret of the untagged shape (the one minted before tags), which no host vouches for: what tests use. */
export function untaggedSecret(prefix: string): string {
  return prefix + base64url(crypto.getRandomValues(new Uint8Array(SECRET_RANDOM_BYTES)));
}

/** A user token of the untagged shape: the server mints with `mintSecret` (tests use this). */
export function newUserToken(): string {
  return untaggedSecret(USER_TOKEN_PREFIX);
}

export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A short random id with a readable prefix, e.g. `town_k3j9x2m8q1w4`. */
export function newId(prefix: string): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}_${[...bytes].map((b) => alphabet[b % 36]).join('')}`;
}

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}
