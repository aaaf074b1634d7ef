import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { restCaller } from '../http/rest-caller.js';
import { unwrap } from '../http/unwrap.js';
import { parseOrThrow } from '../http/validate.js';
import { beadsListInput } from './router.js';

const integer = z
  .string()
  .regex(/^\d{1,16}$/, 'must be an integer')
  .transform(Number);
/** Query strings of the REST mirrors (other parameters ignored, as for timeseries); the tRPC inputs check the values. */
const listQuery = z.object({
  from: integer.optional(),
  to: integer.optional(),
  status: z.string().max(32).optional(),
  sort: z.string().max(32).optional(),
  cursor: z.string().max(300).optional(),
  limit: integer.optional(),
});
const rangeQuery = z.object({ from: integer.optional(), to: integer.optional() });
/** `?beadId=` of the query form of a bead read; beads.get checks its length. */
const beadQuery = z.object({ beadId: z.string({ error: 'is required' }) });

/** The beads API as plain REST for scripts: the same procedures as tRPC, called in-process. */
export function beadsRestRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get('/api/towns/:townId/beads', async (c) => {
    const q = parseOrThrow(listQuery, c.req.query());
    const input = parseOrThrow(beadsListInput, { townId: c.req.param('townId'), ...q });
    return c.json(await unwrap(restCaller(deps, c).beads.list(input)));
  });

  app.get('/api/towns/:townId/beads/:beadId', async (c) =>
    c.json(await unwrap(restCaller(deps, c).beads.get({ townId: c.req.param('townId'), beadId: c.req.param('beadId') }))),
  );

  // The same with the id in the query: a bead id is any text of 1 to 256 characters, and `.` or `..` in a path is
  // resolved away by every URL client (WHATWG URL parsing, even `%2E%2E`) before the request leaves.
  app.get('/api/towns/:townId/bead', async (c) => {
    const { beadId } = parseOrThrow(beadQuery, c.req.query());
    return c.json(await unwrap(restCaller(deps, c).beads.get({ townId: c.req.param('townId'), beadId })));
  });

  app.get('/api/towns/:townId/beads-stats', async (c) => {
    const q = parseOrThrow(rangeQuery, c.req.query());
    return c.json(await unwrap(restCaller(deps, c).beads.stats({ townId: c.req.param('townId'), ...q })));
  });

  return app;
}
