import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beadPath, beadsPath, matchRoute, observabilityPath, townPath } from './routes.js';

/** Where a link to `href` lands, as the browser resolves it. */
const follow = (href: string) => {
  const u = new URL(href, 'http://127.0.0.1');
  return matchRoute(u.pathname, u.search);
};

describe('matchRoute', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'towns' });
    expect(matchRoute('/login')).toEqual({ page: 'login' });
    expect(matchRoute('/billing')).toEqual({ page: 'billing' });
    expect(matchRoute('/billing/')).toEqual({ page: 'billing' });
    expect(matchRoute('/billing/x')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/t1/settings')).toEqual({ page: 'settings', townId: 't1' });
    expect(matchRoute('/orgs')).toEqual({ page: 'orgs' });
    expect(matchRoute('/orgs/')).toEqual({ page: 'orgs' });
    expect(matchRoute('/orgs/x')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/town_abc')).toEqual({ page: 'overview', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/')).toEqual({ page: 'overview', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/observability')).toEqual({ page: 'observability', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/beads')).toEqual({ page: 'beads', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/bead', '?id=gt-12')).toEqual({ page: 'bead', townId: 'town_abc', beadId: 'gt-12' });
    expect(matchRoute('/towns/town_abc/bead')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/town_abc/bead', '?id=')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/t/bead', `?id=${'b'.repeat(257)}`)).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/town_abc/observability/x')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/../etc')).toEqual({ page: 'notFound' });
    expect(matchRoute('/nope')).toEqual({ page: 'notFound' });
  });
  it('builds the paths it matches', () => {
    expect(follow(townPath('t1'))).toEqual({ page: 'overview', townId: 't1' });
    expect(follow(observabilityPath('t1'))).toEqual({ page: 'observability', townId: 't1' });
    expect(follow(beadsPath('t1'))).toEqual({ page: 'beads', townId: 't1' });
    // An id as an answer shows it leads to the real id.
    expect(follow(beadPath('t1', 'gt-⟨U+202E⟩9'))).toEqual({ page: 'bead', townId: 't1', beadId: 'gt-\u202E9' });
    for (const beadId of ['.', '..', 'a/b', '?x#y', '%2E', ' gt 1 ']) {
      expect(follow(beadPath('t1', beadId))).toEqual({ page: 'bead', townId: 't1', beadId });
    }
  });
  it('leads to the same bead for any bead id', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 256, unit: 'grapheme' }).filter((s) => s.length <= 256),
        (beadId) => {
          expect(follow(beadPath('t1', beadId))).toEqual({ page: 'bead', townId: 't1', beadId });
        },
      ),
    );
  });
});
