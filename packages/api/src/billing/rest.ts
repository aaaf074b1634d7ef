import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';
import { restCaller } from '../http/rest-caller.js';
import { unwrap } from '../http/unwrap.js';

/** The gas tank for scripts: the same procedure as tRPC's billing.balance. */
export function billingRestRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  app.get('/api/balance', async (c) => {
    const organizationId = c.req.query('organizationId');
    const caller = restCaller(deps, c);
    return c.json(await unwrap(caller.billing.balance(organizationId === undefined ? {} : { organizationId })));
  });
  return app;
}
