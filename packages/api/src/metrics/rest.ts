import { Hono } from 'hono';
import { z } from 'zod';
import type { ApiDeps } from '../deps.js';
import { restCaller } from '../http/rest-caller.js';
import { unwrap } from '../http/unwrap.js';
import { parseOrThrow } from '../http/validate.js';
import { MAX_TOWNS_PAGE, townId } from '../towns/router.js';
import { timeseriesInput } from './router.js';

/**
 * A whole number in the query string. A required one left out said `from: Invalid input: expected string, received
 * undefined`, which named a type the caller never sends (a query value is text) and not that it was missing.
 */
const integer = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required (an integer in the query string)' : undefined) })
  .regex(/^\d+$/, 'must be an integer')
  .transform(Number);
/** `GET /api/towns?limit=&after=`: towns.list's page (its own bounds, checked again by the procedure). */
const townsQuery = z.object({
  limit: integer.pipe(z.number().int().min(1).max(MAX_TOWNS_PAGE)).optional(),
  after: townId.optional(),
});
/** `tz` is the tRPC input's own schema, so the two routes keep one limit. */
export const timeseriesQuery = z.object({
  from: integer,
  to: integer,
  maxPoints: integer.optional(),
  tz: timeseriesInput.shape.tz,
});

/** The read API as plain REST for scripts: the same procedures as tRPC, called in-process. */
export function metricsRestRoutes(deps: ApiDeps): Hono {
  const app = new Hono();

  app.get('/api/towns', async (c) => {
    const q = parseOrThrow(townsQuery, c.req.query());
    const page = q.limit === undefined && q.after === undefined ? undefined : q;
    return c.json(await unwrap(restCaller(deps, c).towns.list(page)));
  });

  app.get('/api/towns/:townId/metrics/timeseries', async (c) => {
    const q = parseOrThrow(timeseriesQuery, c.req.query());
    const input = {
      townId: c.req.param('townId'),
      from: q.from,
      to: q.to,
      ...(q.maxPoints === undefined ? {} : { maxPoints: q.maxPoints }),
      ...(q.tz === undefined ? {} : { tz: q.tz }),
    };
    return c.json(await unwrap(restCaller(deps, c).metrics.timeseries(input)));
  });

  app.get('/api/towns/:townId/metrics/throughput', async (c) =>
    c.json(await unwrap(restCaller(deps, c).metrics.throughput({ townId: c.req.param('townId') }))),
  );

  return app;
}
