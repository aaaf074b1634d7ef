import { describe, expect, it } from 'vitest';
import { lookupHash, mintSecret, secretVouch, TAGGED_BODY_CHARS, VOUCH_TAG_BYTES } from './credential-vouch.js';
import { INGEST_KEY_PREFIX, newIngestKey, SCRAPE_KEY_PREFIX } from './ingest-key.js';
import { LINK_PREFIX, SESSION_PREFIX } from './session.js';
import { hashToken, newUserToken, SECRET_RANDOM_BYTES, USER_TOKEN_PREFIX, untaggedSecret } from './user-token.js';

const key = (text: string) => new TextEncoder().encode(text.padEnd(32, '.'));
const PREFIXES = [USER_TOKEN_PREFIX, SESSION_PREFIX, INGEST_KEY_PREFIX, SCRAPE_KEY_PREFIX, LINK_PREFIX];

/** The credential with the character at `i` changed to another base64url character. */
const flip = (credential: string, i: number) =>
  credential.slice(0, i) + (credential[i] === 'A' ? 'B' : 'A') + credential.slice(i + 1);

describe('credentials that vouch for themselves', () => {
  it('every kind minted is prefix + 32 random bytes + a 16-byte tag, and the minting key vouches for it', async () => {
    const vouch = secretVouch(key('host secret'));
    expect(TAGGED_BODY_CHARS).toBe(64);
    for (const prefix of PREFIXES) {
      const secret = await vouch.mint(prefix);
      expect(secret.startsWith(prefix)).toBe(true);
      expect(secret).toMatch(/^gg[a-z]_[A-Za-z0-9_-]{64}$/);
      expect(await vouch.vouches(secret)).toBe(true);
    }
    // Random: two secrets of one kind differ.
    expect(await vouch.mint(USER_TOKEN_PREFIX)).not.toBe(await vouch.mint(USER_TOKEN_PREFIX));
  });

  it('a changed tag, a changed random part, a tag moved to another prefix, a cut or longer one: none vouches', async () => {
    const vouch = secretVouch(key('host secret'));
    const token = await vouch.mint(USER_TOKEN_PREFIX);
    expect(await vouch.vouches(flip(token, token.length - 1))).toBe(false); // the tag
    expect(await vouch.vouches(flip(token, 10))).toBe(false); // the random part
    for (const other of PREFIXES.filter((p) => p !== USER_TOKEN_PREFIX))
      expect(await vouch.vouches(other + token.slice(4))).toBe(false);
    expect(await vouch.vouches(token.slice(0, -1))).toBe(false);
    expect(await vouch.vouches(`${token}A`)).toBe(false);
    expect(await vouch.vouches(`${token.slice(0, -1)}=`)).toBe(false);
    expect(await vouch.vouches('')).toBe(false);
    expect(await vouch.vouches(`xyz_${token.slice(4)}`)).toBe(false);
  });

  it('a credential of the shape before tags (32 random bytes) never vouches, and costs no MAC to say so', async () => {
    const vouch = secretVouch(key('host secret'));
    for (const legacy of [newUserToken(), newIngestKey('ingest'), newIngestKey('scrape'), untaggedSecret(SESSION_PREFIX)]) {
      expect(legacy.length - 4).toBe(43);
      expect(await vouch.vouches(legacy)).toBe(false);
    }
    // A made-up credential of the tagged shape: random bytes where the tag goes.
    const madeUp = USER_TOKEN_PREFIX + untaggedSecret('gg?_').slice(4) + 'A'.repeat(TAGGED_BODY_CHARS - 43);
    expect(madeUp.length - 4).toBe(TAGGED_BODY_CHARS);
    expect(await vouch.vouches(madeUp)).toBe(false);
    expect(SECRET_RANDOM_BYTES + VOUCH_TAG_BYTES).toBe(48);
  });

  it("another host's key (or this host's after its secret was rotated) does not vouch for it; the old key still does", async () => {
    const before = secretVouch(key('secret before rotation'));
    const after = secretVouch(key('secret after rotation'));
    const token = await before.mint(USER_TOKEN_PREFIX);
    expect(await after.vouches(token)).toBe(false);
    expect(await before.vouches(token)).toBe(true);
    // The same secret again (another isolate, a restart) vouches alike: the key is derived, not random.
    expect(await secretVouch(key('secret before rotation')).vouches(token)).toBe(true);
  });

  it('the tag is not an HMAC under the secret itself: the vouching key is derived with its own label', async () => {
    const secret = key('host secret');
    const token = await secretVouch(secret).mint(USER_TOKEN_PREFIX);
    const raw = await crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const bytes = Uint8Array.from(atob(token.slice(4).replaceAll('-', '+').replaceAll('_', '/')), (c) => c.charCodeAt(0));
    const data = new Uint8Array([...new TextEncoder().encode(USER_TOKEN_PREFIX), ...bytes.subarray(0, 32)]);
    const underSecret = new Uint8Array(await crypto.subtle.sign('HMAC', raw, data)).subarray(0, 16);
    expect([...underSecret]).not.toEqual([...bytes.subarray(32)]);
  });

  it('lookupHash is the hash of the whole text, and hands the host a check that holds only for credentials that vouch', async () => {
    const told: [string, () => Promise<boolean>][] = [];
    const vouch = secretVouch(key('host secret'), (hash, check) => told.push([hash, check]));
    const tagged = await vouch.mint(SESSION_PREFIX);
    const legacy = untaggedSecret(SESSION_PREFIX);
    const foreign = await secretVouch(key('other secret')).mint(SESSION_PREFIX);
    expect(await lookupHash(vouch, tagged)).toBe(await hashToken(tagged));
    expect(await lookupHash(vouch, legacy)).toBe(await hashToken(legacy));
    expect(await lookupHash(vouch, foreign)).toBe(await hashToken(foreign));
    const vouching: string[] = [];
    for (const [hash, check] of told) if (await check()) vouching.push(hash);
    expect(vouching).toEqual([await hashToken(tagged)]);
    // Without a vouch (tests), secrets are minted untagged.
    expect((await mintSecret(undefined, USER_TOKEN_PREFIX)).length - 4).toBe(43);
  });

  it('lookupHash computes no MAC itself: only the host running the check does (a cached answer costs none)', async () => {
    let macs = 0;
    const checks: (() => Promise<boolean>)[] = [];
    const vouch = {
      mint: (prefix: string) => Promise.resolve(untaggedSecret(prefix)),
      vouches: async () => {
        macs++;
        return true;
      },
      vouched: (_hash: string, check: () => Promise<boolean>) => {
        checks.push(check);
      },
    };
    await lookupHash(vouch, await secretVouch(key('host secret')).mint(USER_TOKEN_PREFIX));
    expect([macs, checks.length]).toEqual([0, 1]);
    // Not of the tagged shape (the old shape, or 8 KiB of anything): no check is kept at all.
    await lookupHash(vouch, untaggedSecret(USER_TOKEN_PREFIX));
    await lookupHash(vouch, `ggu_${'x'.repeat(8192)}`);
    expect(checks).toHaveLength(1);
    expect(await checks[0]?.()).toBe(true);
    expect(macs).toBe(1);
  });

  it('refuses to mint under a prefix that is not a secret prefix', async () => {
    await expect(secretVouch(key('host secret')).mint('nope')).rejects.toThrow(/prefix/);
  });
});
