import type { Context } from 'hono';
import type { ApiDeps } from '../deps.js';
import { createCaller } from '../router.js';

/**
 * The tRPC caller a REST route answers through: the request's credential, and the host's signal of the
 * client going away, so a read whose client left while it waited for its turn never runs (ReadBudget.turn).
 */
export function restCaller(deps: ApiDeps, c: Context) {
  return createCaller({ deps, authorization: c.req.header('authorization'), signal: deps.clientGone?.(c) });
}
