import type { ControlStore } from '../ports/control.js';
import type { LiveBus } from '../ports/live-bus.js';
import type { TownDirectory, TownHandle } from '../ports/town.js';

export interface TickDeps {
  towns: TownDirectory;
  control: Pick<ControlStore, 'settle' | 'townIdsOfAccount'>;
  live: LiveBus;
  /** A settle posted debits or raised alerts: deliver the due webhooks (Node: `WebhookDelivery.deliverDue`). */
  alertsRaised?: () => void;
  /**
   * A settle debited `accountId`, whose gas tank every town of the account shows: tell their live viewers. Without it,
   * a publish to each of the account's other towns (in process on Node, nothing for a town no one watches). A town
   * Durable Object leaves it to the control object, which tells each town once for the debits of a short while: one
   * call per other town from every town's tick was N × (N − 1) object calls a round of an account's N towns.
   */
  accountMoved?: (accountId: string) => Promise<void>;
  log: (message: string) => void;
}

/** Test-only fault injection (the Node host's `GASGAUGE_TEST_CRASH`): called at the two windows a naive transfer loses or doubles a debit. */
export interface TickFaults {
  /** After the tick closed its outbox entries, before the account records them. */
  afterTick?: (town: TownHandle) => Promise<void>;
  /** After the account recorded them, before the town deletes them. */
  beforeAck?: () => void;
}

/**
 * One town's tick and everything after it, the one sequence every host runs (Node's scheduler, a town
 * Durable Object's alarm): the tick (gauges sampled, the billing snapshot taken into the outbox), then
 * the outbox settled into the owning account (ledger debits exactly once, budget alerts) and deleted
 * from the town, then alerts delivered and live viewers told. Settle runs even when the tick throws,
 * so what earlier ticks closed is billed regardless; the tick's error is then rethrown (the caller
 * backs off) and nothing is published. A crash between settle and the town's delete is safe: the
 * next settle posts the same cumulative hour totals again, which debits nothing more.
 */
export async function tickTown(deps: TickDeps, townId: string, faults: TickFaults = {}): Promise<void> {
  const town = deps.towns.get(townId);
  try {
    await town.tick();
    await faults.afterTick?.(town);
  } finally {
    await settle(deps, town, townId, faults);
  }
  await deps.live.publish(townId);
}

async function settle(deps: TickDeps, town: TownHandle, townId: string, faults: TickFaults): Promise<void> {
  const entries = await town.outbox();
  const last = entries.at(-1);
  if (!last) return;
  const posted = await deps.control.settle(townId, entries);
  faults.beforeAck?.();
  await town.ackOutbox(last.seq);
  for (const e of posted.refused) {
    deps.log(`town ${townId}: refused to debit hour ${e.details?.hour} at ${e.amountMicrodollars} µ$ (outside the bounds)`);
  }
  if (posted.alerts > 0 || posted.debits > 0) deps.alertsRaised?.();
  // The account's other towns show the same gas tank: tell their live viewers it moved.
  if (posted.debits > 0 && posted.accountId !== null) {
    if (deps.accountMoved) return deps.accountMoved(posted.accountId);
    for (const other of await deps.control.townIdsOfAccount(posted.accountId))
      if (other !== townId) await deps.live.publish(other);
  }
}
