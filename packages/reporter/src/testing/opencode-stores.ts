import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random } from '@gasgauge/server';
import Database from 'better-sqlite3';

/**
 * Generates OpenCode / Kilo data dirs shaped like the real thing, for tests: a SQLite store
 * (`opencode.db` or `kilo.db`, WAL mode, tables `session`, `message`, `part` with the ids in columns
 * and the rest as JSON in `data`) and the older `storage/message/<session>/<message>.json` files. The
 * tricky cases: user messages, assistant messages with no tokens yet, `cost` 0 (priced from the lists,
 * under names ccusage normalizes: `claude-sonnet-4.5`, `openai`/`google` models), messages without a
 * `cache` object or `reasoning`, a message in both the database and a file (the file's an older copy),
 * messages only in files, malformed files, and step-finish parts that agree with their one-step message.
 * It says what the right totals are (each message once, by its latest figures), independently of the reporter.
 */
export interface OpencodeTotals {
  messages: number;
  input: number;
  output: number;
  reasoning: number;
  cacheRead: number;
  cacheWrite: number;
  /** Sum of the messages' own `cost` (USD), the zero-cost ones not included. */
  listedCostUSD: number;
  /** Messages with tokens and `cost` 0. */
  zeroCost: number;
}

export interface OpencodeStoreOptions {
  seed?: number;
  sessions?: number;
  messagesPerSession?: number;
  /** `kilo` names the database kilo.db and writes no JSON files (ccusage reads none for Kilo). */
  tool?: 'opencode' | 'kilo';
  start?: number;
  /** Session directories: session i works in dirs[i % n]. */
  dirs?: readonly string[];
}

export interface GeneratedStore {
  expected: OpencodeTotals;
  malformed: number;
  /** Message ids in both the database and a file. */
  both: number;
}

const PAID: [string, string][] = [
  ['claude-sonnet-4-5', 'anthropic'],
  ['claude-opus-4-1', 'anthropic'],
  ['gpt-5', 'openai'],
];
const FREE: [string, string][] = [
  ['claude-sonnet-4.5', 'anthropic'],
  ['claude-haiku-4-5', 'anthropic'],
  ['gpt-5-mini', 'openai'],
  ['gemini-2.5-pro', 'google'],
];

export const OPENCODE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS session (id TEXT PRIMARY KEY, project_id TEXT NOT NULL, directory TEXT NOT NULL, title TEXT NOT NULL,
    time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS message (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, time_created INTEGER NOT NULL,
    time_updated INTEGER NOT NULL, data TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS part (id TEXT PRIMARY KEY, message_id TEXT NOT NULL, session_id TEXT NOT NULL,
    time_created INTEGER NOT NULL, time_updated INTEGER NOT NULL, data TEXT NOT NULL);`;

/** Opens (creating) a store as OpenCode keeps it: WAL mode. */
export function openWriter(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(OPENCODE_SCHEMA);
  return db;
}

export function generateOpencodeStore(dir: string, opts: OpencodeStoreOptions = {}): GeneratedStore {
  const random = new Random(opts.seed ?? 1);
  const tool = opts.tool ?? 'opencode';
  const start = opts.start ?? Date.UTC(2026, 5, 1);
  const dirs = opts.dirs ?? ['/work/alpha', '/work/beta'];
  mkdirSync(dir, { recursive: true });
  const db = openWriter(join(dir, `${tool}.db`));
  const e: OpencodeTotals = {
    messages: 0,
    input: 0,
    output: 0,
    reasoning: 0,
    cacheRead: 0,
    cacheWrite: 0,
    listedCostUSD: 0,
    zeroCost: 0,
  };
  let malformed = 0;
  let both = 0;
  const file = (session: string, id: string, body: string) => {
    mkdirSync(join(dir, 'storage', 'message', session), { recursive: true });
    writeFileSync(join(dir, 'storage', 'message', session, `${id}.json`), body);
  };
  const insertSession = db.prepare('INSERT INTO session VALUES (?, ?, ?, ?, ?, ?)');
  const insertMessage = db.prepare('INSERT INTO message VALUES (?, ?, ?, ?, ?)');
  const insertPart = db.prepare('INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)');
  let t = start;
  db.transaction(() => {
    for (let s = 0; s < (opts.sessions ?? 6); s++) {
      const session = `ses_${tool}${s}`;
      insertSession.run(session, 'p', dirs[s % dirs.length] as string, `session ${s}`, t, t);
      for (let m = 0; m < (opts.messagesPerSession ?? 12); m++) {
        t += random.int(1000, 60_000);
        const id = `msg_${tool}${s}x${m}`;
        insertMessage.run(`${id}u`, session, t, t, JSON.stringify({ role: 'user', time: { created: t } }));
        const free = random.chance(0.3);
        const [modelID, providerID] = random.pick(free ? FREE : PAID);
        const tokens = {
          input: random.int(1, 30_000),
          output: random.int(1, 4000),
          reasoning: random.int(0, 2000),
          cache: { read: random.int(0, 80_000), write: random.int(0, 10_000) },
        };
        const cost = free ? 0 : random.int(1, 200_000) / 1e6;
        const body: Record<string, unknown> = {
          role: 'assistant',
          modelID,
          providerID,
          time: { created: t, completed: t + 900 },
          tokens,
          cost,
        };
        // Missing fields: no cache object (read as 0), no reasoning, no cost.
        if (random.chance(0.1)) {
          tokens.cache = { read: 0, write: 0 };
          body.tokens = { input: tokens.input, output: tokens.output, reasoning: tokens.reasoning };
        }
        // Kilo: ccusage prices only a missing cost (a 0 stays 0, unlike its OpenCode rule and the reporter's).
        if (free && (tool === 'kilo' || random.chance(0.5))) delete body.cost;
        const data = JSON.stringify(body);
        if (tool === 'opencode' && random.chance(0.25)) {
          // Only in the older files (the id and session in the JSON, as OpenCode wrote them).
          file(session, id, JSON.stringify({ ...body, id, sessionID: session }));
        } else {
          insertMessage.run(id, session, t, t + 900, data);
          if (random.chance(0.5)) {
            const step = { type: 'step-finish', tokens, cost: body.cost ?? 0 };
            insertPart.run(`prt_${id}`, id, session, t + 900, t + 900, JSON.stringify(step));
          }
          if (tool === 'opencode' && random.chance(0.15)) {
            // Also in a file: an older copy, before its last tokens.
            both++;
            const older = { ...body, tokens: { ...tokens, output: 1 }, id, sessionID: session };
            file(session, id, JSON.stringify(older));
          }
        }
        e.messages++;
        e.input += tokens.input;
        e.output += tokens.output;
        e.reasoning += tokens.reasoning;
        e.cacheRead += tokens.cache.read;
        e.cacheWrite += tokens.cache.write;
        if (free) e.zeroCost++;
        else e.listedCostUSD += cost;
        // An assistant message announced before its first token: counted by neither.
        if (random.chance(0.1)) {
          insertMessage.run(
            `${id}z`,
            session,
            t,
            t,
            JSON.stringify({
              role: 'assistant',
              modelID,
              providerID,
              time: { created: t },
              tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
              cost: 0,
            }),
          );
        }
      }
      if (tool === 'opencode' && random.chance(0.5)) {
        malformed++;
        file(session, `msg_bad${s}`, '{"role":"assistant","tokens":{"input":');
      }
    }
  })();
  db.close();
  return { expected: e, malformed, both };
}
