import { useEffect } from 'react';
import { type TownInfo, trpc } from '../../api/trpc.js';
import { type QueryState, useQuery, whenTownGone } from '../../lib/use-query.js';

/** Several components of one page want the towns (the gate, the header): one request serves them. */
const SHARE_MS = 5000;
/** MAX_TOWNS_PAGE of the API. */
const TOWNS_PAGE = 100;
let shared: { at: number; promise: Promise<TownInfo[]> } | undefined;

/** Every page of towns.list (at most 100 towns each); a page shorter than that is the last. */
async function allTowns(): Promise<TownInfo[]> {
  const towns: TownInfo[] = [];
  for (;;) {
    const page = await trpc.towns.list.query({ limit: TOWNS_PAGE, after: towns.at(-1)?.id });
    towns.push(...page);
    if (page.length < TOWNS_PAGE) return towns;
  }
}

function fetchTowns(): Promise<TownInfo[]> {
  const now = Date.now();
  if (!shared || now - shared.at > SHARE_MS) {
    const promise = allTowns();
    shared = { at: now, promise };
    promise.catch(() => {
      if (shared?.promise === promise) shared = undefined;
    });
  }
  return shared.promise;
}

/** One town, shared the same way by the components of its page (the gate, the header, the overview). */
const sharedTown = new Map<string, { at: number; promise: Promise<TownInfo> }>();

function fetchTown(townId: string): Promise<TownInfo> {
  const now = Date.now();
  const held = sharedTown.get(townId);
  if (held && now - held.at <= SHARE_MS) return held.promise;
  const promise = trpc.towns.get.query({ townId });
  sharedTown.set(townId, { at: now, promise });
  promise.catch(() => {
    if (sharedTown.get(townId)?.promise === promise) sharedTown.delete(townId);
  });
  return promise;
}

/** After creating a town: the next read asks the server. */
export function invalidateTowns(): void {
  shared = undefined;
  sharedTown.clear();
}

const onRefresh = new Set<() => void>();
let refreshedAt = 0;

/**
 * A town page's read was refused on its town (the user's access to it ended while the page was open):
 * every mounted `useTowns` asks again, so the gate says the town is not among theirs instead of the page
 * going on with stale numbers and "Reconnecting…". At most once per SHARE_MS, however many reads failed.
 */
export function refreshTowns(): void {
  const now = Date.now();
  if (now - refreshedAt < SHARE_MS) return;
  refreshedAt = now;
  invalidateTowns();
  for (const refetch of onRefresh) refetch();
}
whenTownGone(refreshTowns);

/** The signed-in user's towns (every page: for the Towns and Billing pages; a town's page wants `useTown`). */
export function useTowns(opts: { refetchMs?: number } = {}): QueryState<TownInfo[]> {
  return useRefreshed(useQuery('towns', () => fetchTowns(), opts));
}

/**
 * One of the user's towns (`towns.get`): a town's page reads this, not the whole list, which grows with
 * the user's towns (an admin's 800 towns: 9 requests and 200 KB on every town page).
 */
export function useTown(townId: string): QueryState<TownInfo> {
  return useRefreshed(useQuery(`town:${townId}`, () => fetchTown(townId)));
}

function useRefreshed<T>(q: QueryState<T>): QueryState<T> {
  const { refetch } = q;
  useEffect(() => {
    onRefresh.add(refetch);
    return () => void onRefresh.delete(refetch);
  }, [refetch]);
  return q;
}
