import type { CredentialVouch } from '../ports/credential-vouch.js';
import { base64url, hashToken, SECRET_RANDOM_BYTES, untaggedSecret } from './user-token.js';

/** What the vouching key is derived with, from the host's secret: HMAC-SHA256(secret, label), never the secret itself. */
export const VOUCH_KEY_LABEL = 'gasgauge credential vouch v1';
/** The tag: the first bytes of HMAC-SHA256(vouch key, prefix ‖ random bytes). 128 bits: forging one is guessing it. */
export const VOUCH_TAG_BYTES = 16;
/**
 * The base64url text after the prefix of a tagged secret: 48 bytes are 64 characters, where an untagged one (32 bytes)
 * is 43. The length alone tells the shapes apart, so a credential of the old shape costs no MAC.
 */
export const TAGGED_BODY_CHARS = ((SECRET_RANDOM_BYTES + VOUCH_TAG_BYTES) / 3) * 4;
/** A minted secret's prefix: `gg`, a letter, `_`. */
const PREFIX = /^gg[a-z]_$/;
const BODY = /^[A-Za-z0-9_-]+$/;

const utf8 = new TextEncoder();

/**
 * The vouch of a host whose secret is `secret` (Workers: GASGAUGE_SECRET; Node: the key it signs ingest tokens with).
 * WebCrypto only, so the same code runs on both hosts. `vouched`: the host's ear for credentials that vouched (see
 * CredentialVouch.vouched); the Node host has none.
 */
export function secretVouch(secret: Uint8Array, vouched?: CredentialVouch['vouched']): CredentialVouch {
  let key: Promise<CryptoKey> | undefined;
  const vouchKey = () =>
    (key ??= (async () => {
      const root = await crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]);
      const derived = await crypto.subtle.sign('HMAC', root, utf8.encode(VOUCH_KEY_LABEL));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    })());

  const tag = async (prefix: string, random: Uint8Array): Promise<Uint8Array> => {
    const p = utf8.encode(prefix);
    const data = new Uint8Array(p.length + random.length);
    data.set(p);
    data.set(random, p.length);
    return new Uint8Array(await crypto.subtle.sign('HMAC', await vouchKey(), data), 0, VOUCH_TAG_BYTES);
  };

  return {
    async mint(prefix) {
      if (!PREFIX.test(prefix)) throw new Error(`not a secret's prefix: ${prefix}`);
      const random = crypto.getRandomValues(new Uint8Array(SECRET_RANDOM_BYTES));
      const bytes = new Uint8Array(SECRET_RANDOM_BYTES + VOUCH_TAG_BYTES);
      bytes.set(random);
      bytes.set(await tag(prefix, random), SECRET_RANDOM_BYTES);
      return prefix + base64url(bytes);
    },
    async vouches(credential) {
      if (!taggedShape(credential)) return false;
      const prefix = credential.slice(0, 4);
      const bytes = fromBase64url(credential.slice(4));
      const expected = await tag(prefix, bytes.subarray(0, SECRET_RANDOM_BYTES));
      return sameBytes(expected, bytes.subarray(SECRET_RANDOM_BYTES));
    },
    ...(vouched === undefined ? {} : { vouched }),
  };
}

/**
 * The hash a credential is stored and looked up under (its whole text, tag included, as before tags), after telling
 * the host how to check whether it vouched for itself (CredentialVouch.vouched): call it right before the lookup.
 */
export async function lookupHash(vouch: CredentialVouch | undefined, credential: string): Promise<string> {
  const hash = await hashToken(credential);
  // Only a credential of the tagged shape is handed over: the check the host keeps holds at most its 68 characters.
  if (taggedShape(credential)) vouch?.vouched?.(hash, () => vouch.vouches(credential));
  return hash;
}

/** Whether `credential` has a tagged secret's shape (a prefix, then 64 base64url characters): no MAC computed. */
function taggedShape(credential: string): boolean {
  const body = credential.slice(4);
  return PREFIX.test(credential.slice(0, 4)) && body.length === TAGGED_BODY_CHARS && BODY.test(body);
}

/** A new secret of `prefix`: tagged by the host's vouch, or of the untagged shape where a host gives none (tests). */
export function mintSecret(vouch: CredentialVouch | undefined, prefix: string): Promise<string> {
  return vouch === undefined ? Promise.resolve(untaggedSecret(prefix)) : vouch.mint(prefix);
}

/** Equal bytes, compared in time that depends on the length only (never on where they first differ). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
