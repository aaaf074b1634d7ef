import { DeliveryError } from '../errors.js';
import { postJson } from './client.js';

/**
 * Whether `--server`, `--town` and the token work, for a `--once` run that had nothing to send (so no
 * request said so). It posts an empty usage batch: the API checks the credential and the town before the
 * body (docs/api.md), so its own 400 on `records` means both passed, and a 401, a 403, no answer or another
 * service's page means they did not. Returns why not, or undefined when they work.
 */
export async function checkIngest(serverUrl: string, townId: string, token: string): Promise<string | undefined> {
  const url = `${serverUrl.replace(/\/+$/, '')}/api/towns/${encodeURIComponent(townId)}/usage`;
  try {
    await postJson(url, token, '{"records":[]}', 10_000);
    return undefined;
  } catch (err) {
    if (err instanceof DeliveryError && err.status === 400 && err.apiError && err.path === 'records') return undefined;
    return (err as Error).message;
  }
}
