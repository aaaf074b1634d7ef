import { type Alert, type Clock, type Control, type DueAlert, isPrivateAddress, isPrivateHost } from '@gasgauge/core';

export interface WebhookOptions {
  /** The first retry waits this long; each next one twice as long (default 1 s). */
  baseDelayMs?: number;
  /** The longest wait between attempts (default 15 min). */
  maxDelayMs?: number;
  /** After this many failed attempts the alert is marked failed (default 16: waits of 1 s doubling to 15 min, about 1.5 h in all). */
  maxAttempts?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Deliver to loopback, private and link-local addresses too (default false). */
  allowPrivate?: boolean;
  /**
   * The host's resolver (Node: dns.lookup), so a public-looking name that resolves to a private address
   * is refused as well. Without it only literal addresses and `localhost` are checked.
   */
  resolve?: (hostname: string) => Promise<string[]>;
  log?: (line: string) => void;
}

/** After this many failed attempts an alert is marked failed. */
export const MAX_ATTEMPTS = 16;
/** Webhook POSTs under way at once, over all accounts. */
export const MAX_IN_FLIGHT = 20;
/**
 * Webhook POSTs under way at once for one account: a receiver that hangs holds at most this many of
 * MAX_IN_FLIGHT (for up to timeoutMs each), and an account with many alerts due takes turns with the others.
 */
export const MAX_IN_FLIGHT_PER_ACCOUNT = 2;
/**
 * Webhook POSTs one account may start in a minute. Alerts are kept (at most 1,000 an account), but a user who
 * toggles budgets around every tick raises them by the dozen a second: without a rate, the server would POST
 * that fast to any public URL the user names. Past it the account's alerts wait, due, for a later run.
 */
export const MAX_POSTS_PER_ACCOUNT_PER_MINUTE = 60;
const MINUTE_MS = 60_000;

/** What a webhook receives: the alert without its delivery bookkeeping. `id` is stable across retries, for dedupe. */
export type AlertPayload = Pick<Alert, 'id' | 'kind' | 'accountId' | 'townId' | 'at' | 'details'>;

/**
 * POSTs due alerts to their account's webhook as JSON and records the outcome: delivered on a 2xx;
 * otherwise retried with exponential backoff (with jitter), then marked failed. At least once: a crash
 * after the POST and before the record sends it again, with the same id. Logs name the webhook's origin
 * only — a webhook URL often carries a secret in its path or query.
 *
 * Fair across accounts: at most MAX_IN_FLIGHT POSTs at once, MAX_IN_FLIGHT_PER_ACCOUNT of one account and
 * MAX_POSTS_PER_ACCOUNT_PER_MINUTE started for one account in a minute,
 * the due alerts taken in turn across accounts (`Alerts.due`), and a place freed by one POST is filled at
 * once, so a receiver that never answers delays only its own account's alerts, never another's.
 */
export class WebhookDelivery {
  private running: Promise<number> | undefined;
  /** The alerts being POSTed now, with their account: not picked again while under way. */
  private readonly inFlight = new Map<number, string>();
  /** When each account's POSTs of the last minute started (accounts without one are dropped, so it stays small). */
  private readonly started = new Map<string, number[]>();
  /** Set while a run waits for a POST to finish: wakes it to look for due alerts now. */
  private lookAgain: (() => void) | undefined;
  private readonly o: Required<Omit<WebhookOptions, 'log' | 'resolve'>> & {
    resolve: WebhookOptions['resolve'] | undefined;
    log: (line: string) => void;
  };

  constructor(
    private readonly control: Control,
    private readonly clock: Clock,
    options: WebhookOptions = {},
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {
    this.o = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 15 * 60_000,
      maxAttempts: options.maxAttempts ?? MAX_ATTEMPTS,
      timeoutMs: options.timeoutMs ?? 10_000,
      allowPrivate: options.allowPrivate ?? false,
      resolve: options.resolve,
      log: options.log ?? ((line) => console.log(line)),
    };
  }

  /**
   * Delivers what is due now, and what falls due while POSTs are under way, until nothing is due or
   * under way. A call while a run is in progress joins it and has it look for due alerts at once (not
   * when a POST under way finishes). Resolves to the number the run delivered.
   */
  deliverDue(): Promise<number> {
    if (this.running) {
      this.wake();
      return this.running;
    }
    const run = this.run().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }

  /** Has the run under way, if any, look for due alerts now (a settle just raised some); starts none. */
  wake(): void {
    this.lookAgain?.();
  }

  /** Resolves when the delivery run in progress (if any) has finished; starts none. For shutdown. */
  async settled(): Promise<void> {
    await this.running?.catch(() => 0);
  }

  private async run(): Promise<number> {
    let delivered = 0;
    const under = new Set<Promise<void>>();
    for (;;) {
      for (const { alert, webhookUrl } of this.pick()) {
        this.inFlight.set(alert.id, alert.accountId);
        const post: Promise<void> = this.attempt(alert, webhookUrl)
          .then((ok) => {
            if (ok) delivered++;
          })
          .finally(() => {
            this.inFlight.delete(alert.id);
            under.delete(post);
          });
        under.add(post);
      }
      if (under.size === 0) return delivered;
      // The next POST to finish frees a place; a deliverDue call may bring another account's alert.
      await Promise.race([...under, new Promise<void>((resolve) => (this.lookAgain = resolve))]);
      this.lookAgain = undefined;
    }
  }

  /** The due alerts to start now: as many as there are free places, in turn across accounts, none of an account at its share. */
  private pick(): DueAlert[] {
    const free = MAX_IN_FLIGHT - this.inFlight.size;
    if (free <= 0) return [];
    const perAccount = new Map<string, number>();
    for (const account of this.inFlight.values()) perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
    const full = [...perAccount].filter(([, n]) => n >= MAX_IN_FLIGHT_PER_ACCOUNT).map(([account]) => account);
    const now = this.clock();
    for (const [account, times] of this.started) {
      while (times.length > 0 && (times[0] as number) <= now - MINUTE_MS) times.shift();
      if (times.length === 0) this.started.delete(account);
      else if (times.length >= MAX_POSTS_PER_ACCOUNT_PER_MINUTE) full.push(account);
    }
    const picked: DueAlert[] = [];
    for (const due of this.control.alerts.due(now, free * MAX_IN_FLIGHT_PER_ACCOUNT, {
      perAccount: MAX_IN_FLIGHT_PER_ACCOUNT,
      skipAlerts: [...this.inFlight.keys()],
      skipAccounts: full,
    })) {
      const n = perAccount.get(due.alert.accountId) ?? 0;
      if (n >= MAX_IN_FLIGHT_PER_ACCOUNT) continue;
      const times = this.started.get(due.alert.accountId) ?? [];
      if (times.length >= MAX_POSTS_PER_ACCOUNT_PER_MINUTE) continue;
      times.push(now);
      this.started.set(due.alert.accountId, times);
      perAccount.set(due.alert.accountId, n + 1);
      picked.push(due);
      if (picked.length === free) break;
    }
    return picked;
  }

  private async attempt(alert: Alert, webhookUrl: string): Promise<boolean> {
    if (!webhookUrl) {
      this.control.alerts.undeliverable(alert.id);
      return false;
    }
    const origin = new URL(webhookUrl).origin;
    const payload: AlertPayload = {
      id: alert.id,
      kind: alert.kind,
      accountId: alert.accountId,
      townId: alert.townId,
      at: alert.at,
      details: alert.details,
    };
    let error: string;
    try {
      if (!this.o.allowPrivate && (await this.isPrivate(new URL(webhookUrl).hostname))) {
        throw new RefusedTarget();
      }
      const res = await this.fetchImpl(webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'gasgauge-alerts', 'x-gasgauge-alert-id': String(alert.id) },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      if (res.ok) {
        this.control.alerts.delivered(alert.id, this.clock());
        return true;
      }
      error = `HTTP ${res.status}`;
    } catch (err) {
      error =
        err instanceof RefusedTarget
          ? err.message
          : err instanceof Error && err.name === 'TimeoutError'
            ? 'timed out'
            : 'connection failed';
    }
    const attempts = alert.attempts + 1;
    const retryAt = attempts >= this.o.maxAttempts ? null : this.clock() + this.delay(attempts);
    this.control.alerts.attemptFailed(alert.id, error, retryAt);
    this.o.log(
      `alert ${alert.id}: webhook at ${origin} ${error} (attempt ${attempts}); ${retryAt === null ? 'giving up' : `retrying in ${Math.round((retryAt - this.clock()) / 1000)} s`}`,
    );
    return false;
  }

  private async isPrivate(hostname: string): Promise<boolean> {
    if (isPrivateHost(hostname)) return true;
    if (!this.o.resolve || hostname.startsWith('[') || /^[\d.]+$/.test(hostname)) return false;
    return (await this.o.resolve(hostname)).some(isPrivateAddress);
  }

  /** Exponential from baseDelayMs, capped, with up to 20 % jitter so many alerts do not retry in step. */
  private delay(attempts: number): number {
    const exact = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (attempts - 1));
    return Math.round(exact * (0.8 + Math.random() * 0.2));
  }
}

/**
 * A webhook whose host is (or resolves to) a loopback, private or link-local address. A host's fetch
 * that checks the address it connects to (the Node server's, against DNS rebinding) fails with it too.
 */
export class RefusedTarget extends Error {
  constructor() {
    super('refused: the webhook resolves to a loopback, private or link-local address');
    this.name = 'RefusedTarget';
  }
}
