import { Hono } from 'hono';
import type { ApiDeps } from '../deps.js';

/** What a host reports for `/readyz`: ready or not, and the checks behind it (counts, ages; no ids). */
export interface Readiness {
  ready: boolean;
  checks: ReadinessChecks;
}

/** The checks behind a readiness answer; a host fills in the ones it has. */
export interface ReadinessChecks {
  /** `"ok"`, or why the control store did not answer. */
  control?: string;
  scheduler?: 'running' | 'stopped';
  /** Towns the scheduler has a tick due for. */
  towns?: number;
  /** Towns whose tick is overdue by more than `maxLagMs`. */
  overdueTowns?: number;
  /** How late the latest-running tick is, ms (0 when none is due yet). */
  maxTickLagMs?: number;
  maxLagMs?: number;
}

/**
 * Unauthenticated probes for load balancers and orchestrators, cheap enough to call every second:
 *   GET /healthz  200 {ok: true} while the process answers HTTP (also at /api/health, its older name)
 *   GET /readyz   200 when the control store answers and the host's own checks pass (the Node host:
 *                 scheduler running and keeping up with due ticks), else 503 with the failing checks
 */
export function healthRoutes(deps: ApiDeps): Hono {
  const app = new Hono();
  for (const path of ['/healthz', '/api/health']) {
    app.get(path, (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json({ ok: true });
    });
  }
  app.get('/readyz', async (c) => {
    c.header('Cache-Control', 'no-store');
    const r = await readiness(deps);
    return c.json(r, r.ready ? 200 : 503);
  });
  return app;
}

async function readiness(deps: ApiDeps): Promise<Readiness> {
  try {
    await deps.control.ping();
  } catch (err) {
    return { ready: false, checks: { control: err instanceof Error ? err.message : 'unavailable' } };
  }
  const host = deps.readiness?.() ?? { ready: true, checks: {} };
  return { ready: host.ready, checks: { control: 'ok', ...host.checks } };
}
