/** Fetchers for accounts: the gas tank, the ledger, alerts; types inferred from the router (organisations: api/orgs.ts). */
import { type Throughput, trpc } from './trpc.js';

export type GasTank = Awaited<ReturnType<typeof trpc.billing.balance.query>>;
export type LedgerPage = Awaited<ReturnType<typeof trpc.billing.ledger.query>>;
export type LedgerEntry = LedgerPage['entries'][number];
export type BillingAlert = Awaited<ReturnType<typeof trpc.billing.alerts.query>>['alerts'][number];
export type Budget = NonNullable<Throughput['budget']>;

/** The caller's personal account (no organisation), or an organisation's. */
function account(organizationId: string | null): { organizationId?: string } {
  return organizationId === null ? {} : { organizationId };
}

export function fetchBalance(organizationId: string | null, signal: AbortSignal): Promise<GasTank> {
  return trpc.billing.balance.query(account(organizationId), { signal });
}

export function fetchLedger(
  organizationId: string | null,
  page: { limit: number; before?: number | null },
  signal?: AbortSignal,
): Promise<LedgerPage> {
  const input = { ...account(organizationId), limit: page.limit, ...(page.before ? { before: page.before } : {}) };
  return trpc.billing.ledger.query(input, signal ? { signal } : {});
}

export async function fetchAlerts(organizationId: string | null, limit: number, signal: AbortSignal): Promise<BillingAlert[]> {
  return (await trpc.billing.alerts.query({ ...account(organizationId), limit }, { signal })).alerts;
}

export type AlertSettings = Awaited<ReturnType<typeof trpc.billing.alertSettings.query>>;

export function fetchAlertSettings(organizationId: string | null, signal: AbortSignal): Promise<AlertSettings> {
  return trpc.billing.alertSettings.query(account(organizationId), { signal });
}

export function saveAlertSettings(organizationId: string | null, settings: AlertSettings): Promise<AlertSettings> {
  return trpc.billing.setAlertSettings.mutate({ ...account(organizationId), ...settings });
}
