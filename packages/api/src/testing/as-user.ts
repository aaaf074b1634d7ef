import { type HttpResult, request, type TestServer, trpcPath } from '@gasgauge/server/testing/server';
import { expect } from 'vitest';

/**
 * tRPC calls over real HTTP as one of several named users: `tokens` maps a name to its token, `server`
 * is read at call time (tests start it in beforeAll).
 */
export function asUsers(server: () => TestServer, tokens: ReadonlyMap<string, string>) {
  return {
    mutate: (who: string, proc: string, input: unknown) =>
      request(server().url, 'POST', `/trpc/${proc}`, tokens.get(who) as string, input),
    query: (who: string, proc: string, input?: unknown) =>
      request(server().url, 'GET', trpcPath(proc, input), tokens.get(who) as string),
    /** The call's data, after checking it answered 200 (the body in the failure message). */
    ok: (r: HttpResult) => {
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return r.body.result.data;
    },
  };
}
