import { fetchBalance } from '../../api/billing.js';
import { useQuery } from '../../lib/use-query.js';
import type { TankState } from './billing-text.js';
import { tankState } from './tank-state.js';

/**
 * An account's gas tank: `null` is the user's own account, a string an organisation's, `undefined`
 * not known yet (no request). A new `version` fetches again as a refresh (the previous figures stay meanwhile).
 */
export function useBalance(
  account: string | null | undefined,
  version: string | number,
  opts: { refetchMs?: number } = {},
): TankState {
  const key = account === undefined ? null : `balance:${account ?? ''}`;
  return tankState(useQuery(key, (signal) => fetchBalance(account ?? null, signal), { ...opts, refresh: version }));
}
