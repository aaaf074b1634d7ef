import { restoreInvisible } from '../lib/invisible.js';

/** The app's pages by path. Pure, so the table is tested without a browser. */
export type Route =
  | { page: 'login' }
  | { page: 'towns' }
  | { page: 'billing' }
  | { page: 'orgs' }
  | { page: 'overview'; townId: string }
  | { page: 'observability'; townId: string }
  | { page: 'beads'; townId: string }
  | { page: 'settings'; townId: string }
  | { page: 'bead'; townId: string; beadId: string }
  | { page: 'notFound' };

export const BILLING_PATH = '/billing';
export const ORGS_PATH = '/orgs';
/** The ingest API's longest id (ingest/schemas.ts): a longer bead id cannot exist. */
const MAX_BEAD_ID = 256;

/** The page at `path`; `search` (the query) names the bead of a bead page. */
export function matchRoute(path: string, search = ''): Route {
  if (path === '/login') return { page: 'login' };
  if (path === '/' || path === '/towns') return { page: 'towns' };
  if (path === BILLING_PATH || path === `${BILLING_PATH}/`) return { page: 'billing' };
  if (path === ORGS_PATH || path === `${ORGS_PATH}/`) return { page: 'orgs' };
  const m = path.match(/^\/towns\/([A-Za-z0-9_-]{1,64})(\/observability|\/beads|\/bead|\/settings)?\/?$/);
  const townId = m?.[1];
  if (!townId) return { page: 'notFound' };
  if (m[2] === '/bead') {
    const beadId = new URLSearchParams(search).get('id');
    return beadId && beadId.length <= MAX_BEAD_ID ? { page: 'bead', townId, beadId } : { page: 'notFound' };
  }
  if (m[2] === '/observability') return { page: 'observability', townId };
  if (m[2] === '/beads') return { page: 'beads', townId };
  if (m[2] === '/settings') return { page: 'settings', townId };
  return { page: 'overview', townId };
}

export const townPath = (townId: string) => `/towns/${encodeURIComponent(townId)}`;
export const observabilityPath = (townId: string) => `${townPath(townId)}/observability`;
export const beadsPath = (townId: string) => `${townPath(townId)}/beads`;
export const settingsPath = (townId: string) => `${townPath(townId)}/settings`;
/**
 * A bead's page, from a bead id as an answer shows it (invisible characters made visible; the URL carries the
 * real id). The id goes in the query, not the path: ids come from reporters, and one may be `.` or `..`,
 * which a browser resolves away in a path (even percent-encoded).
 */
export const beadPath = (townId: string, shownBeadId: string) =>
  `${townPath(townId)}/bead?${new URLSearchParams({ id: restoreInvisible(shownBeadId) })}`;
