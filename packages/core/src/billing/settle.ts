import { accountOfTown } from '../control/access.js';
import type { Control } from '../control/control.js';
import type { OutboxEntry } from '../town/outbox.js';

/** The part of a town that settle needs (a Town, or on Workers a stub of the town's Durable Object). */
export interface TownOutbox {
  outbox(): OutboxEntry[];
  ackOutbox(seq: number): void;
}

/**
 * Moves a town's outbox into its owning account: each debit into the ledger, each budget crossing
 * into an alert, all keyed by (town, outbox seq) in one control transaction; then the town deletes
 * the entries. A crash between the two steps leaves the entries in the town, and the next settle posts
 * them again, which the keys turn into no-ops: every debit lands exactly once.
 */
export function settleTown(control: Control, town: TownOutbox, townId: string): Settled {
  const entries = town.outbox();
  const last = entries.at(-1);
  if (!last) return { debits: 0, alerts: 0, accountId: null };
  const info = control.town(townId);
  if (!info) throw new Error(`town ${townId} has outbox entries but is not in the control store`);
  const account = accountOfTown(info);
  const posted = control.sql.transaction(() => {
    let debits = 0;
    let alerts = 0;
    for (const e of entries) {
      const key = `town:${townId}:${e.seq}`;
      if (e.kind === 'debit') {
        if (control.ledger.debit(account, key, e.amountMicrodollars, e.at, townId)) debits++;
      } else if (control.alerts.raise(key, account, townId, 'budget', e.at, e.details ?? {})) {
        alerts++;
      }
    }
    return { debits, alerts, accountId: account };
  });
  town.ackOutbox(last.seq);
  return posted;
}

/** What one settle posted (new entries only; a re-post counts 0), and to which account. */
export interface Settled {
  debits: number;
  alerts: number;
  accountId: string | null;
}
