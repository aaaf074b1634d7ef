/** The app's pages by path. Pure, so the table is tested without a browser. */
export type Route =
  | { page: 'login' }
  | { page: 'towns' }
  | { page: 'billing' }
  | { page: 'overview'; townId: string }
  | { page: 'observability'; townId: string }
  | { page: 'notFound' };

export const BILLING_PATH = '/billing';

export function matchRoute(path: string): Route {
  if (path === '/login') return { page: 'login' };
  if (path === '/' || path === '/towns') return { page: 'towns' };
  if (path === BILLING_PATH || path === `${BILLING_PATH}/`) return { page: 'billing' };
  const m = path.match(/^\/towns\/([A-Za-z0-9_-]{1,64})(\/observability)?\/?$/);
  if (m?.[1]) return m[2] ? { page: 'observability', townId: m[1] } : { page: 'overview', townId: m[1] };
  return { page: 'notFound' };
}

export const townPath = (townId: string) => `/towns/${encodeURIComponent(townId)}`;
export const observabilityPath = (townId: string) => `${townPath(townId)}/observability`;
