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
