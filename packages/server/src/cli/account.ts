import { AppError, type Control } from '@gasgauge/core';
import { groupDigits } from '@gasgauge/reporter/plural';
import { type Command, UsageError, type Values } from './command.js';

/** Whose account a credits command is about: a user's personal account or an organisation's. */
export interface Account {
  kind: 'user' | 'org';
  id: string;
  name: string;
}

export const ACCOUNT_OPTIONS = { user: { type: 'string' }, org: { type: 'string' } } satisfies Command['options'];
/** The --user and --org lines of a command's help, their text starting at `column` like the command's other options. */
export function accountHelp(column = 13): string {
  return `  ${'--user USER'.padEnd(column)}a user's personal account, by user name
  ${'--org ORG'.padEnd(column)}an organisation's account, by organisation name (give exactly one of the two)`;
}

/** The account named by exactly one of --user and --org. */
export function resolveAccount(control: Control, values: Values): Account {
  const user = nonEmpty(values.user);
  const org = nonEmpty(values.org);
  if ((user === undefined) === (org === undefined)) throw new UsageError('give exactly one of --user USER and --org ORG');
  if (user !== undefined) {
    const u = control.userByName(user);
    if (!u) throw new AppError('not_found', `no user named "${user}"`, { path: 'user' });
    return { kind: 'user', id: u.id, name: u.name };
  }
  const o = control.orgs.byName(org as string);
  if (!o) throw new AppError('not_found', `no organisation named "${org}"`, { path: 'org' });
  return { kind: 'org', id: o.id, name: o.name };
}

/** An organisation by name, or not_found on path `org`. */
export function orgByName(control: Control, name: string) {
  const org = control.orgs.byName(name);
  if (!org) throw new AppError('not_found', `no organisation named "${name}"`, { path: 'org' });
  return org;
}

function nonEmpty(v: Values[string]): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const MICRO_PER_DOLLAR = 1_000_000n;

/** The largest amount an option in dollars takes (the API's bound on `lowBalanceMicrodollars`): $9,007,199,254.740991. */
export const MAX_USD_MICRODOLLARS = Number.MAX_SAFE_INTEGER;

/**
 * Dollars as written on the command line ("25", "1.5", "0.000001") to integer microdollars, exactly:
 * string arithmetic, never a float. At most 6 decimals; zero only when `allowZero`; never negative; at most
 * `max` (said with `per`: " per grant"), which a refusal names (it said "is too large" and no more).
 */
export function parseUsd(
  value: Values[string],
  option: string,
  { allowZero = false, max = MAX_USD_MICRODOLLARS, per = '' }: { allowZero?: boolean; max?: number; per?: string } = {},
): number {
  const flag = `--${option}`;
  if (typeof value !== 'string' || value === '') throw new UsageError(`${flag} needs an amount in dollars, like 25 or 0.50`);
  if (value.startsWith('-')) throw new UsageError(`${flag} must not be negative, not "${value}"`);
  const m = value.match(/^(\d+)(?:\.(\d+))?$/);
  if (!m) throw new UsageError(`${flag} must be an amount in dollars like 25 or 0.50, not "${value}"`);
  const whole = m[1] as string;
  const fraction = m[2] ?? '';
  if (fraction.length > 6) throw new UsageError(`${flag} has at most 6 decimals (one microdollar), not "${value}"`);
  const micro = BigInt(whole) * MICRO_PER_DOLLAR + BigInt(fraction.padEnd(6, '0'));
  if (micro > BigInt(max)) throw new UsageError(`${flag} is at most ${formatUsd(max)}${per}, not "${value}"`);
  if (micro === 0n && !allowZero) throw new UsageError(`${flag} must be more than 0, not "${value}"`);
  return Number(micro);
}

/**
 * Integer microdollars as dollars, exactly, thousands grouped as the web UI groups them: "$25.00", "$25.000001",
 * "-$1.50", "$35,499.995601" (a month's balance read "$35499.995601").
 */
export function formatUsd(microdollars: number): string {
  const abs = BigInt(Math.abs(microdollars));
  const whole = groupDigits(abs / MICRO_PER_DOLLAR);
  const fraction = (abs % MICRO_PER_DOLLAR).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${microdollars < 0 ? '-' : ''}$${whole}.${fraction}`;
}
