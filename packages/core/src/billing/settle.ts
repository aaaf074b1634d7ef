import { accountOfTown } from '../control/access.js';
import type { Control } from '../control/control.js';
import { MAX_HOUR_COST_MICRODOLLARS } from '../town/bounds.js';
import type { OutboxEntry } from '../town/outbox.js';
import { MAX_RETENTION_MS } from '../town/tiers.js';

/**
 * Posts a town's outbox entries to its owning account in one control transaction: each hour's running
 * cost total into the ledger (which debits only the increase over what that hour was debited), each
 * budget crossing or runaway episode into an alert (keyed by town and outbox seq). The town deletes the entries after
 * (`tickTown` in api/src/tick/after-tick.ts: the town and the control store may be different actors).
 * A crash between the two steps leaves the entries in the town, and the next settle posts them again,
 * which adds nothing: every microdollar is debited exactly once.
 *
 * A debit whose hour total no ingest within the bounds can produce (a town file written before the
 * bounds, issue 9, or corrupted) is refused, not posted, and reported, so it cannot fail every later
 * settle and stop the town's billing for good.
 */
export function postOutbox(control: Control, townId: string, entries: readonly OutboxEntry[]): Settled {
  const last = entries.at(-1);
  if (!last) return { debits: 0, alerts: 0, accountId: null, refused: [] };
  const info = control.town(townId);
  if (!info) throw new Error(`town ${townId} has outbox entries but is not in the control store`);
  const account = accountOfTown(info);
  return control.sql.transaction(() => {
    let debits = 0;
    let alerts = 0;
    const refused: OutboxEntry[] = [];
    // Hours that ended a day before the newest entry (a backfill, or made up) are past every burn window (gas-tank.ts):
    // debited as one entry at the newest of their times, so a settle appends a bounded number of ledger rows. The
    // newest of the billable entries only, and no later than now: one entry dated far ahead (a corrupt file, a clock
    // run ahead) made the last day's hours old too, their spend one entry.
    const span = billableSpan(entries);
    const newestAt = Math.min(control.now(), span.newestAt);
    const old: { hour: number; total: number }[] = [];
    let oldAt = Number.NEGATIVE_INFINITY;
    for (const e of entries) {
      if (e.kind === 'debit' && !billable(e)) refused.push(e);
      else if (e.kind === 'debit' && e.at <= newestAt - LEDGER_HOUR_WINDOW_MS) {
        old.push({ hour: e.details?.hour as number, total: e.amountMicrodollars });
        oldAt = Math.max(oldAt, e.at);
      } else if (e.kind === 'debit') {
        // Hour totals are cumulative, so a repeat, or a town file restored from a backup, debits only what is new.
        if (control.ledger.debitHour(account, townId, e.details?.hour as number, e.amountMicrodollars, e.at)) debits++;
      } else if (control.alerts.raise(`town:${townId}:${e.seq}`, account, townId, e.kind, e.at, e.details ?? {})) {
        alerts++;
      }
    }
    if (old.length > 0 && control.ledger.debitHours(account, townId, old, oldAt)) debits++;
    // An hour older than any tier keeps can no longer grow: forget what it was debited, twice the retention later
    // (billed_hours is the only guard of a debit of old hours, which has no key: an hour at the edge, posted again
    // after a crash before the town let go of it, or from a restored town file, must still find its row). Judged by the
    // newest hour posted (event time) as well as the entries' time: a tick under a clock two years ahead stamped its
    // entries then, and every hour was forgotten, so the next post of one debited its whole total again. Never an
    // hour this post named.
    const forgetBefore = Math.min(Math.min(last.at, span.newestHour) - FORGET_BILLED_HOURS_MS, span.oldestHour);
    if (Number.isFinite(forgetBefore))
      control.sql.run('DELETE FROM billed_hours WHERE town_id = ? AND hour < ?', townId, forgetBefore);
    return { debits, alerts, accountId: account, refused };
  });
}

/**
 * Past this age (behind the newest billable debit of a settle, or now) an hour's debit is out of every window the gas
 * tank reads (the day's, from its hour's end), so hours this old share one ledger entry; younger ones get one each.
 */
export const LEDGER_HOUR_WINDOW_MS = 25 * 3_600_000;

/** How long after its hour what it was debited is kept (billed_hours): past every hour a town may post again. */
const FORGET_BILLED_HOURS_MS = 2 * MAX_RETENTION_MS;

/** The newest time, and the newest and oldest hours, of the billable debits (±Infinity without one), in one pass. */
function billableSpan(entries: readonly OutboxEntry[]): { newestAt: number; newestHour: number; oldestHour: number } {
  const span = { newestAt: Number.NEGATIVE_INFINITY, newestHour: Number.NEGATIVE_INFINITY, oldestHour: Number.POSITIVE_INFINITY };
  for (const e of entries) {
    if (e.kind !== 'debit' || !billable(e)) continue;
    const hour = e.details?.hour as number;
    span.newestAt = Math.max(span.newestAt, e.at);
    span.newestHour = Math.max(span.newestHour, hour);
    span.oldestHour = Math.min(span.oldestHour, hour);
  }
  return span;
}

function billable(e: OutboxEntry): boolean {
  const a = e.amountMicrodollars;
  return Number.isSafeInteger(a) && a >= 0 && a <= MAX_HOUR_COST_MICRODOLLARS && Number.isSafeInteger(e.details?.hour);
}

/** What one settle posted (new entries only; a re-post counts 0), to which account, and what it refused. */
export interface Settled {
  debits: number;
  alerts: number;
  accountId: string | null;
  /** Debits outside the bounds: not posted, and gone from the town; the host logs them. */
  refused: OutboxEntry[];
}
