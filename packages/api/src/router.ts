import { beadsRouter } from './beads/router.js';
import { billingRouter } from './billing/router.js';
import { metricsRouter } from './metrics/router.js';
import { orgsRouter } from './orgs/router.js';
import { townsRouter } from './towns/router.js';
import { createCallerFactory, router } from './trpc.js';
import { usersRouter } from './users/router.js';

export const appRouter = router({
  towns: townsRouter,
  metrics: metricsRouter,
  beads: beadsRouter,
  orgs: orgsRouter,
  billing: billingRouter,
  users: usersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

/** Every procedure's full name (`towns.list`) and kind, read off the router: for tests that must cover them all. */
export function procedureKinds(): [name: string, kind: 'query' | 'mutation' | 'subscription'][] {
  const procedures = Object.entries(appRouter._def.procedures as object) as [string, { _def: { type: string } }][];
  return procedures.map(([name, p]) => [name, p._def.type as 'query' | 'mutation' | 'subscription']);
}
