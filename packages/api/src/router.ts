import { metricsRouter } from './metrics/router.js';
import { townsRouter } from './towns/router.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  towns: townsRouter,
  metrics: metricsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
