import {
  AppError,
  gasTank,
  isPrivateHost,
  type LedgerEntry,
  MAX_GRANT_MICRODOLLARS,
  MAX_LEDGER_PAGE,
  MAX_NOTE_LENGTH,
  plural,
} from '@gasgauge/core';
import {
  ACCOUNT_OPTIONS,
  type Account,
  accountHelp,
  formatUsd,
  MAX_USD_MICRODOLLARS,
  parseUsd,
  resolveAccount,
} from './account.js';
import { type Command, integerIn, UsageError, withControl } from './command.js';

const accountLabel = (a: Account) => `${a.kind === 'org' ? 'organisation' : 'user'} ${a.name}`;

export const creditsGrant: Command = {
  usage: 'gasgauge credits grant (--user USER | --org ORG) --usd AMOUNT [--note TEXT]',
  summary: "add credits to a user's or an organisation's account",
  help: `${accountHelp(14)}
  --usd AMOUNT  dollars to add, more than 0, at most 6 decimals (25, 1.5, 0.000001); at most
                $1,000,000 per grant, and the balance at most $1,000,000,000
  --note TEXT   a note kept on the ledger entry (at most ${MAX_NOTE_LENGTH} characters)`,
  options: { ...ACCOUNT_OPTIONS, usd: { type: 'string' }, note: { type: 'string' } },
  positionals: 0,
  fields: new Map([
    ['note', '--note'],
    ['amountMicrodollars', '--usd'],
  ]),
  async run(values, _p, out) {
    const amount = parseUsd(values.usd, 'usd', { max: MAX_GRANT_MICRODOLLARS, per: ' per grant' });
    const note = typeof values.note === 'string' ? values.note : undefined;
    const { account, entry } = withControl(values, (control) => {
      const account = resolveAccount(control, values);
      return { account, entry: control.ledger.grant(account.id, amount, Date.now(), note) };
    });
    out.result({ entry, balanceMicrodollars: entry.balanceAfterMicrodollars }, [
      `Granted ${formatUsd(amount)} to ${accountLabel(account)}; balance ${formatUsd(entry.balanceAfterMicrodollars)}.`,
    ]);
    return 0;
  },
};

export const creditsShow: Command = {
  usage: 'gasgauge credits show (--user USER | --org ORG) [--limit N]',
  summary: "show an account's gas tank (balance, burn, time to empty) and its newest ledger entries",
  help: `${accountHelp(13)}
  --limit N    how many ledger entries, newest first (default 20, at most ${MAX_LEDGER_PAGE})`,
  options: { ...ACCOUNT_OPTIONS, limit: { type: 'string' } },
  positionals: 0,
  async run(values, _p, out) {
    const limit = integerIn(values.limit, 'limit', 20, 1, MAX_LEDGER_PAGE);
    const { account, tank, entries } = withControl(values, (control) => {
      const account = resolveAccount(control, values);
      return {
        account,
        tank: gasTank(control, account.id, Date.now()),
        entries: control.ledger.entries(account.id, limit).entries,
      };
    });
    out.result({ account, gasTank: tank, entries }, [
      `Account:        ${accountLabel(account)} (${account.id})`,
      `Balance:        ${formatUsd(tank.balanceMicrodollars)}`,
      `Burn:           ${formatUsd(tank.burnMicrodollarsPerHour)}/h over the last hour, ${formatUsd(tank.burn24hMicrodollarsPerHour)}/h over 24 h`,
      `Time to empty:  ${tank.secondsToEmpty === null ? 'not burning' : tank.secondsToEmpty === 0 ? 'empty now' : duration(tank.secondsToEmpty)}${
        tank.runwayBurnMicrodollarsPerHour > tank.burnMicrodollarsPerHour
          ? ` (at ${formatUsd(tank.runwayBurnMicrodollarsPerHour)}/h, the last 10 minutes' burn: rising)`
          : ''
      }`,
      // "no (below $5.00)" read as if the balance were below: say what the threshold is for.
      `Low balance:    ${tank.lowBalance ? 'YES, below' : 'no, alerts below'} ${formatUsd(tank.lowBalanceThresholdMicrodollars)}`,
      '',
      // Entries run in the order they were made; a debit's time is the end of the hour its spend is dated in, so a
      // backfilled hour's debit shows an earlier time than the entry before it.
      entries.length === 0
        ? 'No ledger entries.'
        : `Ledger, the latest ${plural(entries.length, 'entry', 'entries')} first (a debit is timed at the end of the hour its spend is dated in, or now for the hour under way):`,
      ...entries.map(entryLine),
    ]);
    return 0;
  },
};

export const creditsAlerts: Command = {
  usage: 'gasgauge credits alerts (--user USER | --org ORG) [--low-usd AMOUNT] [--webhook URL [--allow-private] | --no-webhook]',
  summary: "show, and optionally set, an account's low-balance threshold and alert webhook",
  help: `${accountHelp(18)}
  --low-usd AMOUNT  a low-balance alert is raised when the balance drops below this many dollars
                    (0 to ${formatUsd(MAX_USD_MICRODOLLARS)}, at most 6 decimals)
  --webhook URL     POST alerts as JSON to this http or https URL
  --allow-private   accept a webhook on a loopback, private or link-local address (the server
                    delivers there only when started with --allow-private-webhooks)
  --no-webhook      stop POSTing alerts (they are still shown in the API)`,
  options: {
    ...ACCOUNT_OPTIONS,
    'low-usd': { type: 'string' },
    webhook: { type: 'string' },
    'allow-private': { type: 'boolean' },
    'no-webhook': { type: 'boolean' },
  },
  positionals: 0,
  fields: new Map([
    ['webhookUrl', '--webhook'],
    ['lowBalanceMicrodollars', '--low-usd'],
  ]),
  async run(values, _p, out) {
    if (values.webhook !== undefined && values['no-webhook'] === true) {
      throw new UsageError('give either --webhook URL or --no-webhook, not both');
    }
    // Said, not ignored: it only lets the URL of this same command through.
    if (values['allow-private'] === true && values.webhook === undefined) {
      throw new UsageError('--allow-private goes with --webhook URL (it accepts that URL on a private address)');
    }
    const lowBalanceMicrodollars =
      values['low-usd'] === undefined ? undefined : parseUsd(values['low-usd'], 'low-usd', { allowZero: true });
    const webhookUrl = values['no-webhook'] === true ? null : typeof values.webhook === 'string' ? values.webhook : undefined;
    const { account, settings } = withControl(values, (control) => {
      const account = resolveAccount(control, values);
      const change = lowBalanceMicrodollars !== undefined || webhookUrl !== undefined;
      return {
        account,
        settings: change
          ? configureAlerts(webhookUrl, () =>
              control.alerts.configure(account.id, { lowBalanceMicrodollars, webhookUrl }, values['allow-private'] === true),
            )
          : control.alerts.settings(account.id),
      };
    });
    out.result({ settings }, [
      `Alerts for ${accountLabel(account)}:`,
      `  low balance below  ${formatUsd(settings.lowBalanceMicrodollars)}`,
      `  webhook            ${settings.webhookUrl ?? 'none (alerts are shown in the API only)'}`,
    ]);
    return 0;
  },
};

function entryLine(e: LedgerEntry): string {
  const amount = `${e.amountMicrodollars > 0 ? '+' : ''}${formatUsd(e.amountMicrodollars)}`;
  const what = e.kind === 'debit' ? `town ${e.townId}` : (e.note ?? '');
  return `  ${new Date(e.at).toISOString()}  ${e.kind.padEnd(5)}  ${amount.padStart(14)}  balance ${formatUsd(e.balanceAfterMicrodollars).padStart(13)}  ${what}`.trimEnd();
}

/** Seconds as "2 d 3 h", "3 h 20 min", "45 min" or "under a minute". */
function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${days} d ${hours % 24} h`;
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  return minutes > 0 ? `${minutes} min` : 'under a minute';
}

/** The core's refusal of a private webhook names no way out (the API has none); the operator's CLI has one. */
function configureAlerts<T>(webhookUrl: string | null | undefined, configure: () => T): T {
  try {
    return configure();
  } catch (err) {
    const host = typeof webhookUrl === 'string' ? URL.parse(webhookUrl)?.hostname : undefined;
    if (!(err instanceof AppError) || err.path !== 'webhookUrl' || host === undefined || !isPrivateHost(host)) throw err;
    throw new AppError(
      'bad_request',
      `${err.message}: pass --allow-private to keep it (the server delivers there only when started with --allow-private-webhooks)`,
      { path: 'webhookUrl', cause: err },
    );
  }
}
