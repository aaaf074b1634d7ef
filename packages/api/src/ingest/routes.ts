import { AppError } from '@gasgauge/core';
import { Hono, type MiddlewareHandler } from 'hono';
import { bearer } from '../auth/bearer.js';
import type { IngestClaims } from '../auth/ingest-token.js';
import type { ApiDeps } from '../deps.js';
import { readJson } from '../http/body.js';
import { parseOrThrow } from '../http/validate.js';
import { otlpRoutes } from '../otlp/routes.js';
import { IngestCredentials } from './credential.js';
import { eventsBody, locBody, type TownEventInput, usageBody } from './schemas.js';
import { withSessionKeys } from './session-keys.js';
import { fastUsageBody } from './usage-fast.js';

type Env = { Variables: { claims: IngestClaims } };

/**
 * The write side: container-authenticated only (ingest JWTs or ingest keys), never behind user auth.
 * Order of checks: credential (401), town of the token (403), town exists (404), body (413, 400).
 */
export function ingestRoutes(deps: ApiDeps): Hono<Env> {
  const credentials = new IngestCredentials(deps);
  const app = new Hono<Env>();

  const ingestAuth: MiddlewareHandler<Env> = async (c, next) => {
    const claims = await credentials.claims(bearer(c.req.header('authorization')));
    await credentials.assertTown(claims, c.req.param('townId') as string);
    c.set('claims', claims);
    await next();
  };

  const ingested = async (townId: string) => {
    await deps.live.publishSoon(townId);
    deps.onIngest?.(townId);
  };

  app.route(
    '/',
    otlpRoutes({
      credentials,
      towns: deps.towns,
      ingested,
      ...(deps.gunzip ? { gunzip: deps.gunzip } : {}),
      ...(deps.readBody ? { readBody: deps.readBody } : {}),
      ...(deps.maxOtlpInFlight ? { maxInFlight: deps.maxOtlpInFlight } : {}),
      ...(deps.readBudget ? { budget: deps.readBudget } : {}),
    }),
  );

  app.post('/api/towns/:townId/usage', ingestAuth, async (c) => {
    const body = await readJson(c, deps.readBody);
    const { records } = fastUsageBody(body) ?? parseOrThrow(usageBody, body);
    checkAgent(c.get('claims'), records, 'records');
    const townId = c.req.param('townId');
    const result = await deps.towns.get(townId).ingest({ kind: 'usage', records: withSessionKeys(records) });
    await ingested(townId);
    return c.json(result);
  });

  app.post('/api/towns/:townId/loc', ingestAuth, async (c) => {
    const { agents } = parseOrThrow(locBody, await readJson(c, deps.readBody));
    checkAgent(c.get('claims'), agents, 'agents');
    const townId = c.req.param('townId');
    const result = await deps.towns.get(townId).ingest({ kind: 'loc', reports: agents });
    await ingested(townId);
    return c.json(result);
  });

  app.post('/api/towns/:townId/events', ingestAuth, async (c) => {
    const { events } = parseOrThrow(eventsBody, await readJson(c, deps.readBody));
    const townId = c.req.param('townId');
    const town = deps.towns.get(townId);
    await checkAgentEvents(c.get('claims'), events, (beadIds) => town.beadAssignees(beadIds));
    const result = await town.ingest({ kind: 'events', events });
    await ingested(townId);
    return c.json(result);
  });

  return app;
}

/** A token minted for one agent writes only that agent's usage and lines of code. */
function checkAgent(claims: IngestClaims, items: readonly { agentId: string }[], field: string): void {
  if (claims.agentId === undefined) return;
  const i = items.findIndex((item) => item.agentId !== claims.agentId);
  if (i >= 0) throw new AppError('forbidden', `this token is for agent ${claims.agentId}`, { path: `${field}[${i}].agentId` });
}

/**
 * An agent's token speaks only for that agent: its own status, and beads assigned to it (so it cannot
 * open, close or retitle another agent's bead, nor take one over by naming itself as the assignee).
 * Notes name no agent, so they need a town-wide token.
 */
async function checkAgentEvents(
  claims: IngestClaims,
  events: readonly TownEventInput[],
  assigneesOf: (beadIds: string[]) => Promise<Map<string, string | null>>,
): Promise<void> {
  const agent = claims.agentId;
  if (agent === undefined) return;
  // One lookup for the whole batch: on Workers it is a call to the town's Durable Object.
  const beadIds = events.flatMap((e) => (e.type === 'bead' ? [e.beadId] : []));
  const assignees = beadIds.length > 0 ? await assigneesOf(beadIds) : new Map<string, string | null>();
  events.forEach((e, i) => {
    if (e.type === 'note') throw new AppError('forbidden', 'notes need a town-wide token', { path: `events[${i}].type` });
    const field = e.type === 'agent' ? 'agentId' : 'assigneeAgentId';
    const named = e.type === 'agent' ? e.agentId : e.assigneeAgentId;
    if (named !== agent) throw new AppError('forbidden', `this token is for agent ${agent}`, { path: `events[${i}].${field}` });
    if (e.type === 'bead') {
      const current = assignees.get(e.beadId);
      if (current != null && current !== agent) {
        throw new AppError('forbidden', `bead ${e.beadId} is assigned to another agent`, { path: `events[${i}].beadId` });
      }
    }
  });
}
