import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, plural } from '@gasgauge/core';
import { CLOSED_PIPE_STATUS, guardClosedPipes, outputWasClosed } from '@gasgauge/reporter/closed-pipe';
import { expandHome } from '@gasgauge/reporter/paths';
import { shown } from '@gasgauge/reporter/terminal';
import { othersDir } from '../data-dir.js';
import { permissionHint } from '../data-dir-lock.js';
import { createLogger } from '../logger.js';
import { isDiskFull } from '../sqlite.js';
import { version } from '../version.js';
import { backup, restore } from './backup.js';
import { COMMON_HELP, type Command, commonOf, DiskFullError, Output, UsageError, type Values } from './command.js';
import { creditsAlerts, creditsGrant, creditsShow } from './credits.js';
import { keyCreate, keyList, keyRevoke } from './key.js';
import { loginLink } from './login-link.js';
import { orgAddMember, orgCreate, orgRemoveMember } from './org.js';
import { report } from './report.js';
import { serve } from './serve.js';
import { tokenMint } from './token.js';
import { townCreate, townList } from './town.js';
import { userAdd, userToken } from './user.js';

/** Every `gasgauge` command, by the words that name it (a Map: the words come from argv). */
export const COMMANDS = new Map<string, Command>([
  ['serve', serve],
  ['user add', userAdd],
  ['user token', userToken],
  ['org create', orgCreate],
  ['org add-member', orgAddMember],
  ['org remove-member', orgRemoveMember],
  ['town create', townCreate],
  ['town list', townList],
  ['token mint', tokenMint],
  ['key create', keyCreate],
  ['key list', keyList],
  ['key revoke', keyRevoke],
  ['credits grant', creditsGrant],
  ['credits show', creditsShow],
  ['credits alerts', creditsAlerts],
  ['report', report],
  ['login-link', loginLink],
  ['backup', backup],
  ['restore', restore],
]);

function mainHelp(): string {
  const rows = [...COMMANDS.values()].map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Gas Gauge: live throughput, cost and gas tank for towns of coding agents.

Usage:
${rows.join('\n')}

Every command takes (report: all but --data, as it reads no data directory; its --json is --once's summary):
${COMMON_HELP}

Exit status: 0 done, 2 a wrong option or argument (named in the message), 3 report --once delivered but some
records quarantined, 1 anything else.
Run "gasgauge COMMAND --help" for one command, "gasgauge --version" for the version.`;
}

export function commandHelp(c: Command): string {
  return `${c.usage}\n\n${c.summary}.\n${c.help ? `\n${c.help}\n` : ''}\nOptions every command takes:\n${commonOf(c).help}`;
}

/**
 * parseArgs, with an unknown option named plainly and the option it is likely a typo of: Node's own message
 * goes on about positionals after '--', which is not what someone who typed --ownr needs.
 */
function parseOptions(command: Command, args: string[]) {
  const options = { ...commonOf(command).options, ...command.options };
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = err instanceof Error ? err.message : String(err);
    // `--owner --data d`: Node's three lines were printed with their newlines spelled out (\u000a).
    const ambiguous = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /^Option '(-[^']*)' argument is ambiguous/.exec(message);
    if (ambiguous) {
      throw new UsageError(
        `${ambiguous[1]} needs a value, and the argument after it starts with a dash (write ${ambiguous[1]}=-VALUE for a value that does)`,
      );
    }
    // `credits grant --user admin --usd` (the value forgotten at the end): Node's "Option '--usd <value>' argument missing".
    const missing =
      code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /^Option '(?:-\w, )?(--[^' ]+)[^']*' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value, and none follows it`);
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'(-[^']*)'/.exec(String(err));
    if (!unknown) throw code?.startsWith('ERR_PARSE_ARGS') ? new UsageError(message.replace(/\s*\n\s*/g, ' ')) : err;
    const given = (unknown[1] as string).replace(/^-+/, '').split('=')[0] as string;
    if (given === 'data' && command.noDataDir)
      throw new UsageError(`unknown option ${unknown[1]}: this command reads no data directory`);
    // The nearest of those it may be (`--opencod`: --opencode, not the first option starting so, --opencode-dir).
    const near = Object.keys(options)
      .filter((o) => o.startsWith(given) || editDistance(o, given) <= 2)
      .sort((a, b) => editDistance(a, given) - editDistance(b, given))[0];
    throw new UsageError(`unknown option ${unknown[1]}${near ? ` (did you mean --${near}?)` : ''}`);
  }
}

/** Edit distance, a swap of two letters counting as one edit (`twon`, `town`), for the few short names of the CLI. */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, (before[j - 2] as number) + 1);
      next[j] = d;
    }
    before = row;
    row = next;
  }
  return row[b.length] as number;
}

/**
 * What is wrong with a command's arguments, naming them as its usage does (`NAME`, `ORG USER`): the common
 * slip is a name with a space left unquoted, which reads as two arguments.
 */
function positionalsError(command: Command, key: string, given: readonly string[]): string {
  const names = positionalNames(command, key);
  if (given.length < names.length) return `missing ${names.slice(given.length).join(' and ')}`;
  const quoted = given.map((g) => JSON.stringify(g)).join(' ');
  if (names.length === 0) return `takes no arguments, got ${quoted}`;
  return `takes ${names.join(' ')}, got ${plural(given.length, 'argument')}: ${quoted} (quote a value with spaces: "Gas Town")`;
}

/** The names of a command's arguments, from its usage: `NAME`, `ORG USER`. */
function positionalNames(command: Command, key: string): string[] {
  const words = command.usage.slice(`gasgauge ${key} `.length).split(' ');
  const end = words.findIndex((w) => !/^[A-Z]+$/.test(w));
  return (end === -1 ? words : words.slice(0, end)).slice(0, command.positionals);
}

/**
 * The option or argument a refused value came in as, when the core refused it by its API field (`webhookUrl`):
 * `--webhook "hooks.example.com/x"`, `NAME "a/b"` (what was given, at most 60 characters of it).
 */
function givenAs(command: Command, key: string, err: AppError, values: Values, positionals: readonly string[]) {
  const label = err.code === 'bad_request' && err.path !== undefined ? command.fields?.get(err.path) : undefined;
  if (label === undefined) return undefined;
  const value = label.startsWith('--') ? values[label.slice(2)] : positionals[positionalNames(command, key).indexOf(label)];
  const text = typeof value === 'string' ? value : undefined;
  const shownValue = text === undefined ? '' : ` ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}`;
  return { label, prefix: `${label}${shownValue}: ` };
}

/**
 * Runs one command and returns its exit status. A closed stdout or stderr (`| head -1`) ends any command quietly
 * with status 141, as it ends a standard Unix tool (see closed-pipe.ts): never an EPIPE stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  guardClosedPipes();
  const status = await runCommand(argv);
  return outputWasClosed() ? CLOSED_PIPE_STATUS : status;
}

async function runCommand(given: string[]): Promise<number> {
  // `-h` is `--help` wherever it stands alone (no option takes a short name, and no value may start with a dash).
  const argv = given.map((a) => (a === '-h' ? '--help' : a));
  // `gasgauge help town create` (as git and npm take it): that command's help. It printed the main help, whatever
  // followed `help`.
  if (argv[0] === 'help' && argv.length > 1 && [...COMMANDS.keys()].some((k) => k.split(' ')[0] === argv[1])) {
    return runCommand([...argv.slice(1), '--help']);
  }
  const json = argv.includes('--json');
  const out = new Output(json);
  const key = [argv.slice(0, 2).join(' '), argv[0] ?? ''].find((k) => COMMANDS.has(k));
  if (!key) {
    // `help` alone, or before an option (`help --json`); `help NAME` of no command is an unknown command, as `NAME` is.
    if (argv.length === 0 || argv[0] === '--help' || (argv[0] === 'help' && !(argv[1] ?? '-').match(/^[^-]/))) {
      console.log(mainHelp());
      return 0;
    }
    if (argv[0] === '--version') {
      console.log(json ? JSON.stringify({ version: version() }) : version());
      return 0;
    }
    // `gasgauge town`, `gasgauge key --help`, `gasgauge town lst`: the group's own commands, not all twenty.
    const prefix = `gasgauge ${argv[0]} `;
    const grouped = [...COMMANDS.values()].filter(
      (c) => c.usage.startsWith(prefix) && /^[a-z-]+$/.test(c.usage.slice(prefix.length).split(' ')[0] as string),
    );
    if (grouped.length > 0) {
      const help = `Usage:\n${grouped.map((c) => `  ${c.usage}\n      ${c.summary}`).join('\n')}\n\nRun "gasgauge ${argv[0]} COMMAND --help" for one of them.`;
      if (argv[1] === '--help' || argv[1] === 'help') {
        console.log(help);
        return 0;
      }
      const sub = grouped.map((c) => c.usage.slice(prefix.length).split(' ')[0] as string);
      const near = argv[1] === undefined ? undefined : sub.find((n) => editDistance(n, argv[1] as string) <= 2);
      const what =
        argv[1] === undefined || argv[1].startsWith('-')
          ? 'needs a command'
          : `has no command "${argv[1]}"${near ? ` (did you mean ${near}?)` : ''}`;
      console.error(`gasgauge ${argv[0]}: ${what}\n\n${help}`);
      return 2;
    }
    // `gasgauge --data DIR town list`: options as other CLIs take them before the command; these come after it.
    const at = argv.findIndex((a, i) => i > 0 && [argv.slice(i, i + 2).join(' '), a].some((k) => COMMANDS.has(k)));
    if (argv[0]?.startsWith('-') && (at !== -1 || ['--data', '--json'].includes(argv[0].split('=')[0] as string))) {
      const words = at === -1 ? [] : argv.slice(at, COMMANDS.has(argv.slice(at, at + 2).join(' ')) ? at + 2 : at + 1);
      const asIn =
        at === -1
          ? `gasgauge COMMAND ${argv[0]}`
          : ['gasgauge', ...words, ...argv.slice(0, at), ...argv.slice(at + words.length)]
              .map((a) => (/^[\w@%+=:,./~-]+$/.test(a) ? a : JSON.stringify(a)))
              .join(' ');
      console.error(`gasgauge: options go after the command (${argv[0]}, as in: ${shown(asIn)})\n\n${mainHelp()}`);
      return 2;
    }
    // The word that is no command, and the nearest that is (`gasgauge twon list`, `gasgauge --verison`): it said
    // `unknown command "twon list"`, as if "list" were unknown too, and named no command to run instead.
    const word = (argv[0] === 'help' ? argv[1] : argv[0]) as string;
    const names = [...new Set([...COMMANDS.keys()].map((k) => k.split(' ')[0] as string)), '--version', '--help'];
    const near = names.find((n) => editDistance(n, word) <= (n.length > 4 ? 2 : 1));
    console.error(`gasgauge: unknown command "${word}"${near ? ` (did you mean ${near}?)` : ''}\n\n${mainHelp()}`);
    return 2;
  }
  const command = COMMANDS.get(key) as Command;
  let values: Values = {};
  let positionals: string[] = [];
  try {
    ({ values, positionals } = parseOptions(command, argv.slice(key.split(' ').length)));
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    pathOptions(values);
    if (positionals.length !== command.positionals) throw new UsageError(positionalsError(command, key, positionals));
    return await command.run(values, positionals, out);
  } catch (err) {
    const field = err instanceof AppError ? givenAs(command, key, err, values, positionals) : undefined;
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // A full disk at a command's start is the operator's to fix, not a request to retry: say where and what to do.
    const message =
      (field?.prefix ?? '') +
      (err instanceof DiskFullError
        ? err.message
        : isDiskFull(err)
          ? `out of disk space in the data dir ${resolve(dataArg(argv) ?? './data')}: nothing was written; free some space and run it again`
          : !command.noDataDir && readOnlyPath(err) !== undefined
            ? readOnlyDataDir(readOnlyPath(err) as string, resolve(dataArg(argv) ?? './data'))
            : !command.noDataDir && sqliteReadOnly(err) !== undefined
              ? unwritableDataDir(sqliteReadOnly(err) as string, resolve(dataArg(argv) ?? './data'))
              : err instanceof Error
                ? withHint(
                    err.message,
                    permissionHint(err, resolve(dataArg(argv) ?? './data')) ??
                      (command.noDataDir ? undefined : ownPermissionHint(err, resolve(dataArg(argv) ?? './data'))),
                  )
                : String(err));
    if (json) {
      const code = err instanceof AppError ? err.code : usage ? 'usage' : 'error';
      console.log(
        JSON.stringify({
          error: {
            code,
            message,
            ...(err instanceof AppError && err.path ? { path: err.path } : {}),
            ...(field ? { option: field.label } : {}),
          },
        }),
      );
    } else if (values['log-format'] === 'json') {
      // serve's log is JSON lines for a collector: why it did not start (or stopped) is one of them, not a plain line.
      createLogger('json').message(`gasgauge ${key}: ${message}`);
    } else {
      // The message may carry what others wrote (a path, a transcript's id): its control characters spelled out.
      console.error(`gasgauge ${key}: ${shown(message)}${usage ? `\n\nUsage: ${command.usage}` : ''}`);
    }
    // A value the core refused names the option or argument it came from (field): exit 2 as for a malformed one.
    return usage || field !== undefined ? 2 : 1;
  }
}

/** The file a write was refused on because its file system is mounted read-only (EROFS), if that is what `err` is. */
function readOnlyPath(err: unknown): string | undefined {
  const e = err as NodeJS.ErrnoException | null;
  return e?.code === 'EROFS' && typeof e.path === 'string' ? e.path : undefined;
}

/** SQLite's code when it may not write a database or the directory beside it (SQLITE_READONLY_DIRECTORY), if that is what `err` is. */
function sqliteReadOnly(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_READONLY') ? code : undefined;
}

/**
 * A data dir (or its towns/) this user may not write, or a database in it that is read-only to them: it was SQLite's
 * bare "attempt to write a readonly database", naming no file, directory or option.
 */
function unwritableDataDir(code: string, dataDir: string): string {
  return `cannot write in the data dir ${dataDir} (${code}: SQLite writes each database and its -wal and -shm files beside it): ${MAKE_WRITABLE(dataDir)}`;
}

const MAKE_WRITABLE = (dataDir: string) =>
  `make the data dir, its towns/ directory and their files writable by this user (chmod -R u+w ${dataDir}), or run as the user they belong to`;

/**
 * What to do about a permission refusal on a file in the data dir that is not another user's (permissionHint says
 * that case): `EACCES: permission denied, open '…/serve.lock'` alone said neither.
 */
function ownPermissionHint(err: unknown, dataDir: string): string | undefined {
  const e = err as NodeJS.ErrnoException | null;
  if ((e?.code !== 'EACCES' && e?.code !== 'EPERM') || typeof e.path !== 'string') return undefined;
  if (e.path !== dataDir && !e.path.startsWith(`${dataDir}/`)) return undefined;
  // A file that is not there yet (restore's serve.lock) in another user's data dir: chmod would not help.
  const others = othersDir(dataDir);
  return others === undefined ? MAKE_WRITABLE(dataDir) : `the data dir ${dataDir}${others}`;
}

/**
 * A data dir that exists on a read-only file system: most often a systemd unit with ProtectSystem=strict whose
 * --data is not its StateDirectory= (nor in ReadWritePaths=). It was a bare "EROFS: read-only file system, open '…'".
 */
function readOnlyDataDir(path: string, dataDir: string): string {
  return `cannot write ${path}: the file system is read-only there (under systemd with ProtectSystem=strict, the data dir must be the unit's StateDirectory= or in its ReadWritePaths=); pass --data DIR, a directory on a writable file system, or make ${dataDir} writable`;
}

function withHint(message: string, hint: string | undefined): string {
  return hint === undefined ? message : `${message}: ${hint}`;
}

/** `--data DIR` or `--data=DIR` from the raw arguments (the error path may come before they were parsed), `~/` expanded. */
export function dataArg(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const v = a === '--data' ? argv[i + 1] : a.startsWith('--data=') ? a.slice('--data='.length) : undefined;
    if (v !== undefined) return expandHome(v);
  }
  return undefined;
}

/** The options that name a directory; a leading `~/` in them is the home directory, as the reporter takes it. */
const PATH_OPTIONS = ['data', 'out', 'from'] as const;

/**
 * An empty --data (an unset shell variable) was the current directory, made mode 700; `--data=~/gg` or a quoted
 * `'~/gg'`, which no shell expands, was a directory named `~`.
 */
function pathOptions(values: Values): void {
  if (values.data === '') throw new UsageError('--data is empty: give the data directory, or leave --data out for ./data');
  for (const name of PATH_OPTIONS) {
    const v = values[name];
    if (typeof v === 'string') values[name] = expandHome(v);
  }
}
