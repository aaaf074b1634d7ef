import { Random } from '@gasgauge/server';

/**
 * Generates Codex CLI homes shaped like the real thing, for tests: rollout files under
 * `sessions/YYYY/MM/DD/` with session_meta, turn_context and token_count lines; turns with both
 * `last_token_usage` and `total_token_usage`, with only the totals (older Codex), `info: null` and
 * all-zero events; sessions whose first turns name no model (priced as gpt-5); `codex-auto-review`;
 * sub-agent files that begin with a same-second replay of their parent's turns; forks (`forked_from_id`) that
 * begin with their parent's turns up to the fork under new times (or, the parent absent, in one second);
 * token_count events written twice; resumed sessions that
 * begin with a copy of an earlier file; archived copies (an older copy of an active file, and files
 * only in `archived_sessions/`); long (> 272k) prompts; and malformed lines. It says what the right
 * totals are (each turn once), independently of the reporter's code.
 */

export interface CodexTotals {
  /** Codex's input_tokens: cached included. */
  input: number;
  cached: number;
  /** Codex's output_tokens: reasoning included. */
  output: number;
  reasoning: number;
  turns: number;
}

export interface CodexTree {
  /** Lines per file, relative to the Codex home. */
  files: Map<string, string[]>;
  /** Every turn once. */
  expected: CodexTotals;
  byCwd: Map<string, CodexTotals>;
  /** Turns that appear in a second file (resumed copies): ccusage's `session` report counts them again. */
  copied: CodexTotals;
  malformed: number;
}

export interface CodexTreeOptions {
  seed?: number;
  agents?: number;
  sessionsPerAgent?: number;
  turnsPerSession?: number;
  worktreeRoot?: string;
  /** Epoch ms of the first line (default: three hours ago). */
  start?: number;
  models?: readonly string[];
  /** Include resumed copies (default true). */
  resumed?: boolean;
}

export const CODEX_MODELS = [
  'gpt-5',
  'gpt-5-codex',
  'gpt-5.1-codex-max',
  'gpt-5.2-codex',
  'gpt-5.3-codex',
  'gpt-5.4',
  'gpt-5.5',
] as const;

interface Usage {
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_output_tokens: number;
  total_tokens: number;
}

const zero = (): CodexTotals => ({ input: 0, cached: 0, output: 0, reasoning: 0, turns: 0 });
function add(t: CodexTotals, u: Usage): void {
  t.input += u.input_tokens;
  t.cached += u.cached_input_tokens;
  t.output += u.output_tokens;
  t.reasoning += u.reasoning_output_tokens;
  t.turns++;
}
const plus = (a: Usage, b: Usage): Usage => ({
  input_tokens: a.input_tokens + b.input_tokens,
  cached_input_tokens: a.cached_input_tokens + b.cached_input_tokens,
  output_tokens: a.output_tokens + b.output_tokens,
  reasoning_output_tokens: a.reasoning_output_tokens + b.reasoning_output_tokens,
  total_tokens: a.total_tokens + b.total_tokens,
});
const NONE: Usage = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };

export function generateCodexTree(opts: CodexTreeOptions = {}): CodexTree {
  const random = new Random(opts.seed ?? 1);
  const int = (lo: number, hi: number) => random.int(lo, hi);
  const chance = (p: number) => random.chance(p);
  const models = opts.models ?? CODEX_MODELS;
  const root = opts.worktreeRoot ?? '/work/town/gastown/polecats';
  let clock = opts.start ?? Date.now() - 3 * 3_600_000;
  const files = new Map<string, string[]>();
  const expected = zero();
  const copied = zero();
  const byCwd = new Map<string, CodexTotals>();
  const malformedLines = new Set<string>();
  let uid = 0;
  const iso = (ms: number) => new Date(ms).toISOString();
  const tick = () => {
    clock += int(1500, 9000);
    return iso(clock);
  };
  const fileName = (ms: number) => {
    const d = iso(ms);
    return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/rollout-${d.slice(0, 19).replace(/:/g, '-')}-${(++uid).toString(16).padStart(8, '0')}.jsonl`;
  };
  const count = (cwd: string, u: Usage) => {
    add(expected, u);
    const t = byCwd.get(cwd) ?? zero();
    byCwd.set(cwd, t);
    add(t, u);
  };
  const line = (ts: string, type: string, payload: object) => JSON.stringify({ timestamp: ts, type, payload });
  const makeUsage = (): Usage => {
    const long = chance(0.04);
    const input = long ? int(272_001, 300_000) : int(2_000, 120_000);
    const cached = chance(0.8) ? int(0, input) : 0;
    const output = int(20, 6000);
    const reasoning = chance(0.7) ? int(0, output) : 0;
    return {
      input_tokens: input,
      cached_input_tokens: cached,
      output_tokens: output,
      reasoning_output_tokens: reasoning,
      total_tokens: input + output,
    };
  };

  for (let a = 0; a < (opts.agents ?? 3); a++) {
    const cwd = `${root}/agent${a}`;
    for (let s = 0; s < (opts.sessionsPerAgent ?? 3); s++) {
      const started = clock;
      const rel = `sessions/${fileName(started)}`;
      const lines: string[] = [];
      const sessionId = `sess-${a}-${s}-${uid}`;
      lines.push(
        line(tick(), 'session_meta', { id: sessionId, cwd, originator: 'codex_cli_rs', cli_version: '0.63.0', source: 'cli' }),
      );
      // A session whose first turns name no model: ccusage prices them as gpt-5 until a turn_context names one.
      const lateModel = chance(0.25);
      let model = random.pick(models);
      if (!lateModel) lines.push(line(tick(), 'turn_context', chance(0.8) ? { cwd, model } : { cwd, model_name: model }));
      let total: Usage = NONE;
      const turns: { ts: string; last: Usage; total: Usage }[] = [];
      const turnCount = opts.turnsPerSession ?? 12;
      for (let i = 0; i < turnCount; i++) {
        if (lateModel && i === 2) lines.push(line(tick(), 'turn_context', { cwd, model }));
        if (i > 0 && chance(0.1)) {
          model = chance(0.3) ? 'codex-auto-review' : random.pick(models);
          lines.push(line(tick(), 'turn_context', { cwd, model }));
        }
        lines.push(
          line(tick(), 'response_item', { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'ok' }] }),
        );
        // Announced before the first token: info null, or all zeros.
        if (chance(0.15)) lines.push(line(tick(), 'event_msg', { type: 'token_count', info: null, rate_limits: {} }));
        if (chance(0.1))
          lines.push(
            line(tick(), 'event_msg', { type: 'token_count', info: { total_token_usage: total, last_token_usage: NONE } }),
          );
        const last = makeUsage();
        total = plus(total, last);
        const ts = tick();
        // Older Codex wrote only the running totals.
        const info = chance(0.2) ? { total_token_usage: total } : { total_token_usage: total, last_token_usage: last };
        lines.push(line(ts, 'event_msg', { type: 'token_count', info, rate_limits: {} }));
        turns.push({ ts, last, total });
        count(cwd, last);
        // Codex sometimes writes a token_count again: the totals did not move, so it adds nothing.
        if (chance(0.05)) lines.push(line(tick(), 'event_msg', { type: 'token_count', info, rate_limits: {} }));
        if (chance(0.05)) {
          const full = line(tick(), 'event_msg', { type: 'token_count', info: { last_token_usage: last } });
          const cut = full.slice(0, full.indexOf('"token_count"') + 30);
          lines.push(cut);
          malformedLines.add(cut);
        }
      }
      files.set(rel, lines);

      if (chance(0.5)) {
        // A sub-agent: its own file, starting with a replay of some parent turns stamped in one second.
        const spawnAt = clock + 500;
        const subRel = `sessions/${fileName(spawnAt)}`;
        const second = iso(Math.floor(spawnAt / 1000) * 1000).slice(0, 19);
        const sub: string[] = [
          line(`${second}.100Z`, 'session_meta', {
            id: `${sessionId}-sub`,
            cwd,
            source: { subagent: { thread_spawn: { parent_thread_id: sessionId, depth: 1 } } },
          }),
          line(`${second}.110Z`, 'turn_context', { cwd, model }),
        ];
        const replayed = turns.slice(0, int(2, Math.min(4, turns.length)));
        for (const [k, t] of replayed.entries()) {
          const info = { total_token_usage: t.total, last_token_usage: t.last };
          sub.push(line(`${second}.${200 + k}Z`, 'event_msg', { type: 'token_count', info }));
        }
        clock = spawnAt + 2000;
        let subTotal = replayed[replayed.length - 1]?.total ?? NONE;
        for (let k = 0; k < int(2, 5); k++) {
          const last = makeUsage();
          subTotal = plus(subTotal, last);
          // Half only with totals: the increase over the replayed totals is what counts.
          const info = chance(0.5) ? { total_token_usage: subTotal } : { total_token_usage: subTotal, last_token_usage: last };
          sub.push(line(tick(), 'event_msg', { type: 'token_count', info }));
          count(cwd, last);
        }
        files.set(subRel, sub);
      }

      if (chance(0.4) && turns.length > 1) {
        // A fork (`forked_from_id`): its file begins with the parent's turns up to the fork under new times,
        // a second apart, then its own. When the parent's file is not there (another machine's session), the
        // replay is stamped in one second, the only way left to tell it.
        const known = chance(0.7);
        const k = int(1, turns.length - 1);
        const forkAt = Date.parse((turns[k - 1] as { ts: string }).ts) + 1;
        const forkRel = `sessions/${fileName(forkAt)}`;
        const fork = [
          line(iso(forkAt), 'session_meta', {
            id: `${sessionId}-fork`,
            forked_from_id: known ? sessionId : `${sessionId}-elsewhere`,
            cwd,
            source: 'cli',
          }),
          line(iso(forkAt + 10), 'turn_context', { cwd, model }),
        ];
        const second = Math.floor(forkAt / 1000) * 1000 + 1000;
        for (const [j, t] of turns.slice(0, k).entries()) {
          const at = known ? forkAt + 1000 * (j + 1) : second + 100 + j;
          fork.push(
            line(iso(at), 'event_msg', { type: 'token_count', info: { total_token_usage: t.total, last_token_usage: t.last } }),
          );
        }
        let forkTotal = (turns[k - 1] as { total: Usage }).total;
        let at = forkAt + 1000 * (k + 60);
        for (let j = 0; j < int(1, 3); j++) {
          const last = makeUsage();
          forkTotal = plus(forkTotal, last);
          at += int(1500, 9000);
          fork.push(
            line(iso(at), 'event_msg', { type: 'token_count', info: { total_token_usage: forkTotal, last_token_usage: last } }),
          );
          count(cwd, last);
        }
        files.set(forkRel, fork);
      }

      if (opts.resumed !== false && chance(0.3)) {
        // Resumed: a new file that begins with a copy of this one's lines (same timestamps), then goes on.
        const resumedRel = `sessions/${fileName(clock)}`;
        const resumed = [...lines];
        for (const t of turns) add(copied, t.last);
        let more = total;
        resumed.push(line(tick(), 'turn_context', { cwd, model: model === 'codex-auto-review' ? 'gpt-5.2-codex' : model }));
        for (let k = 0; k < int(1, 4); k++) {
          const last = makeUsage();
          more = plus(more, last);
          resumed.push(
            line(tick(), 'event_msg', { type: 'token_count', info: { total_token_usage: more, last_token_usage: last } }),
          );
          count(cwd, last);
        }
        files.set(resumedRel, resumed);
      }

      if (chance(0.3)) {
        // Archived: an older, shorter copy of this active file (ignored: the active copy wins).
        files.set(rel.replace(/^sessions\//, 'archived_sessions/'), lines.slice(0, Math.max(1, lines.length - 4)));
      }
      clock += int(60_000, 600_000);
    }
  }

  // Sessions only in archived_sessions/ count.
  for (let k = 0; k < 2; k++) {
    const cwd = `${root}/archived${k}`;
    const model = random.pick(models);
    const last = makeUsage();
    files.set(`archived_sessions/${fileName(clock)}`, [
      line(tick(), 'session_meta', { id: `arch-${k}`, cwd }),
      line(tick(), 'turn_context', { cwd, model }),
      line(tick(), 'event_msg', { type: 'token_count', info: { total_token_usage: last, last_token_usage: last } }),
    ]);
    count(cwd, last);
  }
  let malformed = 0;
  for (const [rel, lines] of files) {
    // An archived copy of an active file is not read.
    if (rel.startsWith('archived_sessions/') && files.has(rel.replace(/^archived_sessions\//, 'sessions/'))) continue;
    for (const l of lines) if (malformedLines.has(l)) malformed++;
  }
  return { files, expected, byCwd, copied, malformed };
}
