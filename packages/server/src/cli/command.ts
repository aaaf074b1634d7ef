import { resolve } from 'node:path';
import { type CredentialVouch, secretVouch } from '@gasgauge/api';
import {
  AppError,
  Control,
  DEFAULT_MAX_TOWNS_PER_OWNER,
  KNOWN_SCHEMA_VERSIONS,
  NAME_RULE,
  type TownQuota,
  upgradeLine,
} from '@gasgauge/core';
import { shown } from '@gasgauge/reporter/terminal';
import { DataDir, hasControlDatabase, refuseCutRestore } from '../data-dir.js';
import { refuseRootInOthersDir } from '../data-dir-lock.js';
import { openNaming } from '../schema-upgrade.js';
import { type NodeSql, openSqlite, schemaVersion } from '../sqlite.js';

/** parseArgs' values (a null-prototype object), read by the commands' own option names. */
// biome-ignore lint/plugin/no-string-keys: keys are the option names in code; parseArgs (strict) refuses any other
export type Values = Record<string, string | boolean | string[] | undefined>;
export interface Command {
  usage: string;
  summary: string;
  /** The command's own options, described; shown by --help. */
  help?: string;
  // biome-ignore lint/plugin/no-string-keys: option names written in code, handed to parseArgs as its options
  options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;
  positionals: number;
  /** Reads no data directory (`report`): --data is not one of its options, and its help does not offer it. */
  noDataDir?: true;
  /**
   * The API fields this command's values reach the core as (an AppError's `path`), and how the command names
   * them: `webhookUrl` is `--webhook`, `name` is `NAME`. A refusal from the core then names the option the
   * operator typed, not a field they never saw ("the webhook is not a URL" said nothing of --webhook).
   */
  fields?: ReadonlyMap<string, string>;
  run(values: Values, positionals: string[], out: Output): Promise<number>;
}

export const common = { data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } as const;
const DATA_HELP = '  --data DIR   data directory (default ./data; ~ or a leading ~/ is the home directory)';
const OUTPUT_HELP = `  --json       print one JSON object on stdout
  --help       show this help`;
export const COMMON_HELP = `${DATA_HELP}\n${OUTPUT_HELP}`;

/** The options every command takes, and their help: --data but for a command that reads no data directory. */
export function commonOf(command: Pick<Command, 'noDataDir'>): { options: Partial<typeof common>; help: string } {
  if (!command.noDataDir) return { options: common, help: COMMON_HELP };
  const { data: _data, ...rest } = common;
  return { options: rest, help: OUTPUT_HELP };
}

export class UsageError extends Error {}

/** A full disk somewhere other than the data dir, in a message of the command's own that says where (the reporter's state dir). */
export class DiskFullError extends Error {}

export class Output {
  constructor(readonly json: boolean) {}
  /** Human lines, or the one JSON object for scripts. */
  result(obj: object, lines: string[]): void {
    console.log(this.json ? JSON.stringify(obj) : lines.map(shown).join('\n'));
  }
}

/**
 * The data dir named by --data, which must already hold a control database unless `create`: a mistyped
 * or forgotten --data would otherwise leave a new, empty data dir behind and report "no user named …".
 */
export function openDataDir(values: Values, { create = false } = {}): DataDir {
  const root = resolve(String(values.data ?? './data'));
  refuseCutRestore(root); // before a missing control.sqlite reads as no data, or `user add` makes a new one
  if (!hasControlDatabase(root)) {
    if (!create) {
      throw new AppError(
        'not_found',
        `no Gas Gauge data in ${root} (control.sqlite is missing); pass --data DIR, the directory "gasgauge serve" runs on`,
        { path: 'data' },
      );
    }
    // `sudo gasgauge user add` on the service's new /var/lib/gasgauge: root's control.sqlite and secret.key in it
    // would keep that user's server from starting. Refused as serve and restore refuse it, before a file is made.
    refuseRootInOthersDir(root);
  }
  return new DataDir(root);
}

export function withControl<T>(
  values: Values,
  fn: (control: Control, dataDir: DataDir) => T,
  { quota, create = false }: { quota?: TownQuota; create?: boolean } = {},
): T {
  const dataDir = openDataDir(values, { create });
  const { sql, control } = openControl(dataDir, quota);
  try {
    return fn(control, dataDir);
  } finally {
    sql.close();
  }
}

/**
 * The vouch of the data dir's server (its ingest-token key: GASGAUGE_SECRET or secret.key), so a secret a command
 * mints carries the tag a server on the same key vouches for (api ports/credential-vouch.ts). Under another
 * GASGAUGE_SECRET than the server's the tag is only not vouched for: the secret still works. A GASGAUGE_SECRET too
 * short to be a key (which `serve` refuses) mints untagged secrets, as before tags, rather than failing a command
 * that never needed the key: the tag only vouches.
 */
export function dataDirVouch(values: Values, { create = false } = {}): CredentialVouch | undefined {
  // Through the control database, which makes a new data dir (with create) before its key is written into it.
  return withControl(values, (_control, dataDir) => vouchOf(dataDir), { create });
}

/** The data dir key's vouch, or none when there is no usable key (see dataDirVouch). */
export function vouchOf(dataDir: DataDir): CredentialVouch | undefined {
  try {
    return secretVouch(dataDir.secret());
  } catch {
    return undefined;
  }
}

/**
 * A command's control database. One an older Gas Gauge left is migrated, as `serve` does, and the command
 * says so on stderr (it did so without a word, and `serve` then had nothing to log); but not under a server
 * still running on the data dir: that server is the older version (this one would have migrated it), and
 * it would go on with a schema it does not know.
 */
export function openControl(dataDir: DataDir, quota?: TownQuota): { sql: NodeSql; control: Control } {
  const sql = openSqlite(dataDir.controlFile);
  try {
    const version = schemaVersion(sql);
    if (version > 0 && version < KNOWN_SCHEMA_VERSIONS.control && dataDir.serverRunning() === true) {
      throw new Error(
        `${dataDir.controlFile} has schema version ${version}, older than this Gas Gauge's (${KNOWN_SCHEMA_VERSIONS.control}), and a server is running on ${dataDir.root}: an older version. Stop it and start this version's gasgauge serve, which upgrades the data dir, then run this command again`,
      );
    }
    const control = openNaming(dataDir.controlFile, () => new Control(sql, () => Date.now(), quota));
    const upgraded = upgradeLine(dataDir.controlFile, control.schema);
    if (upgraded) console.error(upgraded);
    return { sql, control };
  } catch (err) {
    sql.close();
    throw err;
  }
}

export function integer(value: Values[string], name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new UsageError(`--${name} must be a whole number, not ${JSON.stringify(String(value))}`);
  return Number(value);
}

/** A whole number from `min` to `max`, or the fallback when the option is absent. */
export function integerIn(value: Values[string], name: string, fallback: number, min: number, max: number): number {
  const n = integer(value, name, fallback);
  if (n < min || n > max) throw new UsageError(`--${name} must be from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

/** `--max-towns-per-owner` (serve and town create): towns each user or organisation may own. */
export const MAX_TOWNS_PER_OWNER_OPTION = { 'max-towns-per-owner': { type: 'string' } } as const;
export const MAX_TOWNS_PER_OWNER_HELP = `  --max-towns-per-owner N   towns each user or organisation may own, 1 to 1000000 (default ${DEFAULT_MAX_TOWNS_PER_OWNER});
                            admins' own towns are exempt`;
export function townQuota(values: Values): TownQuota {
  return {
    maxTownsPerOwner: integerIn(values['max-towns-per-owner'], 'max-towns-per-owner', DEFAULT_MAX_TOWNS_PER_OWNER, 1, 1_000_000),
  };
}

export function tickMs(value: Values[string]): number {
  const ms = integer(value, 'tick-ms', 5000);
  if (ms < 50 || ms > 60_000) throw new UsageError(`--tick-ms must be from 50 to 60000, not ${JSON.stringify(value)}`);
  return ms;
}

/** `8h`, `30m`, `90s` or plain seconds. */
export function parseTtl(value: string): number {
  const m = value.match(/^(\d+)([smh]?)$/);
  if (!m) throw new UsageError(`--ttl must look like 8h, 30m, 90s or 3600, not "${value}"`);
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

/** The longest agent id the API takes (ingest records, `towns.mintIngestToken`, `towns.createKey`). */
export const MAX_AGENT_ID_LENGTH = 256;

/**
 * `--agent ID` of token mint and key create: absent, or an agent id as the API takes one. An empty one (an unset
 * shell variable) minted a token for agent "" that every record was refused with, and made a key for every agent.
 */
export function agentOption(values: Values): string | undefined {
  const v = values.agent;
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '')
    throw new UsageError('--agent is empty: give an agent id, or leave --agent out for every agent');
  if (v.length > MAX_AGENT_ID_LENGTH)
    throw new UsageError(`--agent is at most ${MAX_AGENT_ID_LENGTH} characters, not ${v.length}`);
  return v;
}

/**
 * A --town no town of this data dir has: which data dir was asked, and how to list its towns (a town id copied from
 * another server's list, or a --data left out, said only "no town with id …").
 */
export function noSuchTown(townId: string, dataDir: DataDir): AppError {
  return new AppError(
    'not_found',
    `no town with id "${townId}" in ${dataDir.root}: gasgauge town list --data ${dataDir.root} lists its towns`,
    { path: 'town' },
  );
}

export function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

/**
 * The help line of an argument or option that names a user, town, organisation or key, with the rule every name
 * follows (`  NAME     the user's name: 1 to 64 letters, …`), wrapped under its description: the rule was said only
 * when a name was refused.
 */
export function nameHelp(label: string, width: number, what: string): string {
  const words = `${what}: ${NAME_RULE}`.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && 2 + width + line.length + 1 + word.length > 100) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l, i) => `  ${(i === 0 ? label : '').padEnd(width)}${l}`).join('\n');
}
