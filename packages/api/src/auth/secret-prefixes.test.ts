import { describe, expect, it } from 'vitest';
import { isScrapeKey, LEGACY_SCRAPE_KEY_PREFIX, newIngestKey } from './ingest-key.js';
import { createLoginLink, startSession } from './session.js';
import { newUserToken } from './user-token.js';

/** The prefix of a minted secret: `gg` and a letter, then `_`. */
const prefixOf = (secret: string) => secret.slice(0, 4);

describe('secret prefixes', () => {
  it('every kind of secret the server mints has a prefix of its own, so a scanner or a log names what leaked', async () => {
    const session = await startSession({ createSession: async () => ({ expiresAt: 0 }) }, 'u');
    const link = await createLoginLink({ createLoginLink: () => ({ expiresAt: 0 }) }, 'u');
    const minted = {
      user: newUserToken(),
      ingest: newIngestKey('ingest'),
      scrape: newIngestKey('scrape'),
      session: session.token,
      link: new URL(link.path, 'http://x').searchParams.get('code') as string,
    };
    const prefixes = Object.values(minted).map(prefixOf);
    expect(prefixes.every((p) => /^gg[a-z]_$/.test(p))).toBe(true);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    expect(prefixOf(minted.scrape)).not.toBe(LEGACY_SCRAPE_KEY_PREFIX);
  });

  it('a legacy ggs_ scrape key and a new ggp_ one are both read as scrape keys, and nothing else is', () => {
    expect(isScrapeKey(newIngestKey('scrape'))).toBe(true);
    expect(isScrapeKey(`${LEGACY_SCRAPE_KEY_PREFIX}abc`)).toBe(true);
    expect(isScrapeKey(newIngestKey('ingest'))).toBe(false);
    expect(isScrapeKey(newUserToken())).toBe(false);
  });
});
