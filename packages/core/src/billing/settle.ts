import { accountOfTown } from '../control/access.js';
import type { Control } from '../control/control.js';
import type { OutboxEntry } from '../town/outbox.js';
import { MAX_RETENTION_MS } from '../town/tiers.js';

/** The part of a town that settle needs (a Town, or on Workers a stub of the town's Durable Object). */
export interface TownOutbox {
  outbox(): OutboxEntry[];
  ackOutbox(seq: number): void;
}

/**
 * Moves a town's outbox into its owning account in one control transaction: each hour's running cost
 * total into the ledger (which debits only the increase over what that hour was debited), each budget
 * crossing into an alert (keyed by town and outbox seq); then the town deletes the entries. A crash
 * between the two steps leaves the entries in the town, and the next settle posts them again, which
 * adds nothing: every microdollar is debited exactly once.
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
      if (e.kind === 'debit') {
        // Hour totals are cumulative, so a repeat, or a town file restored from a backup, debits only what is new.
        if (control.ledger.debitHour(account, townId, e.details?.hour as number, e.amountMicrodollars, e.at)) debits++;
      } else if (control.alerts.raise(`town:${townId}:${e.seq}`, account, townId, 'budget', e.at, e.details ?? {})) {
        alerts++;
      }
    }
    // An hour older than any tier keeps can no longer grow: forget what it was debited.
    control.sql.run('DELETE FROM billed_hours WHERE town_id = ? AND hour < ?', townId, last.at - MAX_RETENTION_MS);
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
