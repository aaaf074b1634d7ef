import { parseArgs } from 'node:util';
import { hashToken, MAX_INGEST_TTL_SECONDS, mintIngestToken, newId, newUserToken } from '@gasgauge/api';
import { AppError, Control } from '@gasgauge/core';
import { DataDir } from './data-dir.js';
import { startServer } from './serve.js';
import { openSqlite } from './sqlite.js';

type Values = Record<string, string | boolean | undefined>;
interface Command {
  usage: string;
  summary: string;
  options: Record<string, { type: 'string' | 'boolean' }>;
  positionals: number;
  run(values: Values, positionals: string[], out: Output): Promise<number>;
}

const common = { data: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } } as const;
const COMMON_HELP = `  --data DIR   data directory (default ./data)
  --json       print one JSON object on stdout
  --help       show this help`;

class UsageError extends Error {}

class Output {
  constructor(readonly json: boolean) {}
  /** Human lines, or the one JSON object for scripts. */
  result(obj: object, lines: string[]): void {
    console.log(this.json ? JSON.stringify(obj) : lines.join('\n'));
  }
}

function withControl<T>(values: Values, fn: (control: Control, dataDir: DataDir) => T): T {
  const dataDir = new DataDir(String(values.data ?? './data'));
  const sql = openSqlite(dataDir.controlFile);
  try {
    return fn(new Control(sql, () => Date.now()), dataDir);
  } finally {
    sql.close();
  }
}

function integer(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  return Number(value);
}

function tickMs(value: string | boolean | undefined): number {
  const ms = integer(value, 'tick-ms', 5000);
  if (ms < 50 || ms > 60_000) throw new UsageError('--tick-ms must be from 50 to 60000');
  return ms;
}

/** `8h`, `30m`, `90s` or plain seconds. */
export function parseTtl(value: string): number {
  const m = value.match(/^(\d+)([smh]?)$/);
  if (!m) throw new UsageError(`--ttl must look like 8h, 30m, 90s or 3600, not "${value}"`);
  const unit = m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1;
  return Number(m[1]) * unit;
}

function required(values: Values, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'gasgauge serve [--data DIR] [--port N] [--host H] [--tick-ms N]',
    summary: 'run the server (API and tick) on an embedded SQLite data dir',
    options: { port: { type: 'string' }, host: { type: 'string' }, 'tick-ms': { type: 'string' } },
    positionals: 0,
    async run(values, _p, out) {
      const dataDir = String(values.data ?? './data');
      const server = await startServer({
        dataDir,
        port: integer(values.port, 'port', 8787),
        host: String(values.host ?? '127.0.0.1'),
        tickMs: tickMs(values['tick-ms']),
        log: (line) => console.error(line),
      });
      out.result({ url: server.url, dataDir, adminToken: server.adminToken ?? null }, [
        `Gas Gauge listening on ${server.url} (data: ${dataDir})`,
        ...(server.adminToken ? ['Created user "admin". Its API token is shown only this once:', `  ${server.adminToken}`] : []),
      ]);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      return 0;
    },
  },
  'user add': {
    usage: 'gasgauge user add NAME [--admin]',
    summary: 'create a user and print its API token once',
    options: { admin: { type: 'boolean' } },
    positionals: 1,
    async run(values, [name], out) {
      const token = newUserToken();
      const hash = await hashToken(token);
      const user = withControl(values, (control) => {
        const u = control.createUser(newId('user'), name as string, values.admin === true);
        control.addToken(u.id, hash, 'cli');
        return u;
      });
      out.result({ user, token }, [`Created user ${user.name} (${user.id}). API token, shown once:`, `  ${token}`]);
      return 0;
    },
  },
  'user token': {
    usage: 'gasgauge user token NAME',
    summary: 'issue another API token for an existing user',
    options: {},
    positionals: 1,
    async run(values, [name], out) {
      const token = newUserToken();
      const hash = await hashToken(token);
      const user = withControl(values, (control) => {
        const u = control.userByName(name as string);
        if (!u) throw new AppError('not_found', `no user named "${name}"`, { path: 'name' });
        control.addToken(u.id, hash, 'cli');
        return u;
      });
      out.result({ user, token }, [`New API token for ${user.name}, shown once:`, `  ${token}`]);
      return 0;
    },
  },
  'town create': {
    usage: 'gasgauge town create NAME --owner USER',
    summary: 'create a town owned by a user',
    options: { owner: { type: 'string' } },
    positionals: 1,
    async run(values, [name], out) {
      const ownerName = required(values, 'owner');
      const town = withControl(values, (control) => {
        const owner = control.userByName(ownerName);
        if (!owner) throw new AppError('not_found', `no user named "${ownerName}"`, { path: 'owner' });
        return control.createTown(newId('town'), name as string, owner.id);
      });
      out.result({ town }, [`Created town ${town.name} (${town.id}).`]);
      return 0;
    },
  },
  'token mint': {
    usage: 'gasgauge token mint --town ID [--agent ID] [--ttl 8h]',
    summary: 'mint an ingest token (JWT) for a reporter',
    options: { town: { type: 'string' }, agent: { type: 'string' }, ttl: { type: 'string' } },
    positionals: 0,
    async run(values, _p, out) {
      const townId = required(values, 'town');
      const ttlSeconds = parseTtl(String(values.ttl ?? '8h'));
      if (ttlSeconds < 1 || ttlSeconds > MAX_INGEST_TTL_SECONDS) throw new UsageError('--ttl must be between 1s and 8h');
      const secret = withControl(values, (control, dataDir) => {
        if (!control.town(townId)) throw new AppError('not_found', `no town with id "${townId}"`, { path: 'town' });
        return dataDir.secret();
      });
      const agentId = typeof values.agent === 'string' ? values.agent : undefined;
      const minted = await mintIngestToken(secret, { townId, agentId, ttlSeconds, now: Date.now() });
      out.result(minted, [minted.token]);
      return 0;
    },
  },
};

function mainHelp(): string {
  const rows = Object.values(COMMANDS).map((c) => `  ${c.usage}\n      ${c.summary}`);
  return `Gas Gauge: live throughput, cost and gas tank for towns of coding agents.

Usage:
${rows.join('\n')}

Every command takes:
${COMMON_HELP}

Run "gasgauge COMMAND --help" for one command.`;
}

function commandHelp(c: Command): string {
  return `${c.usage}\n\n${c.summary}.\n\nOptions every command takes:\n${COMMON_HELP}`;
}

export async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const out = new Output(json);
  const key = [argv.slice(0, 2).join(' '), argv[0] ?? ''].find((k) => k in COMMANDS);
  if (!key) {
    if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
      console.log(mainHelp());
      return 0;
    }
    console.error(`gasgauge: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${mainHelp()}`);
    return 2;
  }
  const command = COMMANDS[key] as Command;
  try {
    const { values, positionals } = parseArgs({
      args: argv.slice(key.split(' ').length),
      options: { ...common, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(commandHelp(command));
      return 0;
    }
    if (positionals.length !== command.positionals) {
      throw new UsageError(`expected ${command.positionals} argument(s), got ${positionals.length}`);
    }
    return await command.run(values, positionals, out);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    const message = err instanceof Error ? err.message : String(err);
    if (json) {
      const code = err instanceof AppError ? err.code : usage ? 'usage' : 'error';
      console.log(
        JSON.stringify({ error: { code, message, ...(err instanceof AppError && err.path ? { path: err.path } : {}) } }),
      );
    } else {
      console.error(`gasgauge ${key}: ${message}${usage ? `\n\nUsage: ${command.usage}` : ''}`);
    }
    return usage ? 2 : 1;
  }
}
