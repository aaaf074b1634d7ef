import type { GasTank } from '../../api/billing.js';
import { isHidden } from '../../api/trpc.js';
import type { TankState } from './billing-text.js';

/** A balance query's answer as the gas tank shows it: refused or not found for this user is "hidden", not an error. */
export function tankState(q: { data: GasTank | undefined; error: Error | undefined }): TankState {
  if (q.error && isHidden(q.error)) return { status: 'hidden' };
  if (q.data) return q.error ? { status: 'ok', tank: q.data, stale: q.error } : { status: 'ok', tank: q.data };
  if (q.error) return { status: 'error', error: q.error };
  return { status: 'loading' };
}
