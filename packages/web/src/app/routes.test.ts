import { describe, expect, it } from 'vitest';
import { matchRoute, observabilityPath, townPath } from './routes.js';

describe('matchRoute', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'towns' });
    expect(matchRoute('/login')).toEqual({ page: 'login' });
    expect(matchRoute('/billing')).toEqual({ page: 'billing' });
    expect(matchRoute('/billing/')).toEqual({ page: 'billing' });
    expect(matchRoute('/billing/x')).toEqual({ page: 'notFound' });
    expect(matchRoute('/towns/town_abc')).toEqual({ page: 'overview', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/')).toEqual({ page: 'overview', townId: 'town_abc' });
    expect(matchRoute('/towns/town_abc/observability')).toEqual({ page: 'observability', townId: 'town_abc' });
    expect(matchRoute('/towns/../etc')).toEqual({ page: 'notFound' });
    expect(matchRoute('/nope')).toEqual({ page: 'notFound' });
  });
  it('builds the paths it matches', () => {
    expect(matchRoute(townPath('t1'))).toEqual({ page: 'overview', townId: 't1' });
    expect(matchRoute(observabilityPath('t1'))).toEqual({ page: 'observability', townId: 't1' });
  });
});
