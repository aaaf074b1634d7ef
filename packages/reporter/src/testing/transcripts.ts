import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Random } from '@gasgauge/server';

/**
 * Generates Claude Code transcript trees shaped like the real thing, for tests and the tail benchmark:
 * streamed copies of one response (same message.id + requestId, growing output), subagent files
 * (sidechain) with agent_progress copies in the parent, /btw side-question replays (sidechain, same
 * message.id, new requestId), resumed sessions that begin by copying earlier lines, 1-hour cache
 * writes, long-context requests, fast mode, costUSD, and malformed lines. It also says what the right
 * totals are (each response once, its largest copy), independently of the reporter's code.
 */

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  speed?: 'fast' | 'standard';
}

export interface Totals {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  responses: number;
}

/** The four token kinds, in the order `tokenTotals` (testing/server.ts) gives the server's. */
export function expectedTokens(t: Totals): number[] {
  return [t.input, t.output, t.cacheRead, t.cacheWrite];
}

export interface GeneratedTree {
  /** Lines per file (relative to the config dir), in the order Claude Code would write them. */
  files: Map<string, string[]>;
  /** Each response once, at its largest copy, as ccusage counts them. */
  expected: Totals;
  /** Per agent worktree (cwd) totals. */
  byCwd: Map<string, Totals>;
  /** The side-question replays (sidechain copies of a parent response under a new requestId): not part of `expected`. */
  replayed: Totals;
  /** Lines that carry the usage marker but are not JSON. */
  malformed: number;
}

export interface GenerateOptions {
  seed?: number;
  agents?: number;
  sessionsPerAgent?: number;
  responsesPerSession?: number;
  /** Bytes of text in each assistant and tool-result line (default small; the bench makes them realistic). */
  padding?: number;
  /** Root of the agents' worktrees, as it appears in each line's cwd. */
  worktreeRoot?: string;
  /** Epoch ms of the first line (default: two hours ago). */
  start?: number;
  models?: readonly string[];
  /** Write /btw side-question replays into the parent's file instead of a subagents/ file (default false). */
  asideInParentFile?: boolean;
  /** Time between two lines, ms (default 200 to 4000). */
  stepMs?: readonly [number, number];
  /** Prefix for message, request and session ids, so several trees can share one directory. */
  idPrefix?: string;
  /** Include costUSD on some lines (default true). */
  costUSD?: boolean;
  /** Include lines that are not JSON (default true). */
  malformed?: boolean;
}

export const DEFAULT_MODELS = [
  'claude-sonnet-4-5-20250929',
  'claude-opus-4-6',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-1-20250805',
  'claude-sonnet-4-20250514',
  'claude-sonnet-4-6',
] as const;

const emptyTotals = (): Totals => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0, responses: 0 });

function addUsage(t: Totals, u: Usage): void {
  t.input += u.input_tokens;
  t.output += u.output_tokens;
  t.cacheRead += u.cache_read_input_tokens;
  t.cacheWrite += u.cache_creation
    ? u.cache_creation.ephemeral_5m_input_tokens + u.cache_creation.ephemeral_1h_input_tokens
    : u.cache_creation_input_tokens;
  t.responses++;
}

export function generateTree(opts: GenerateOptions = {}): GeneratedTree {
  const random = new Random(opts.seed ?? 1);
  const rand = () => random.next();
  const int = (lo: number, hi: number) => random.int(lo, hi);
  const pick = <T>(xs: readonly T[]): T => random.pick(xs);
  const models = opts.models ?? DEFAULT_MODELS;
  const root = opts.worktreeRoot ?? '/work/town/gastown/polecats';
  const pad = 'x'.repeat(opts.padding ?? 40);
  const px = opts.idPrefix ?? '';
  let clock = opts.start ?? Date.now() - 2 * 3_600_000;
  const stepMs = opts.stepMs ?? [200, 4000];
  const files = new Map<string, string[]>();
  const expected = emptyTotals();
  const replayed = emptyTotals();
  const byCwd = new Map<string, Totals>();
  const malformedLines = new Set<string>();
  let uid = 0;
  const push = (file: string, line: string) => {
    const lines = files.get(file);
    if (lines) lines.push(line);
    else files.set(file, [line]);
  };
  const tick = () => {
    clock += int(stepMs[0], stepMs[1]);
    return new Date(clock).toISOString();
  };
  const count = (cwd: string, u: Usage) => {
    addUsage(expected, u);
    const t = byCwd.get(cwd) ?? emptyTotals();
    byCwd.set(cwd, t);
    addUsage(t, u);
  };

  const makeUsage = (model: string): Usage => {
    const longContext = rand() < 0.05;
    const u: Usage = {
      input_tokens: int(1, 40),
      output_tokens: int(50, 4000),
      cache_creation_input_tokens: int(0, 8000),
      cache_read_input_tokens: longContext ? int(200_001, 400_000) : int(0, 120_000),
    };
    if (longContext) u.input_tokens = int(200_001, 260_000);
    if (rand() < 0.5) {
      const h1 = rand() < 0.3 ? int(0, u.cache_creation_input_tokens) : 0;
      u.cache_creation = { ephemeral_5m_input_tokens: u.cache_creation_input_tokens - h1, ephemeral_1h_input_tokens: h1 };
    }
    if (model.startsWith('claude-opus-4-6') && rand() < 0.3) u.speed = 'fast';
    return u;
  };

  interface Response {
    id: string;
    req: string;
    model: string;
    usage: Usage;
    costUSD?: number;
    /** The timestamp of its last (complete) copy. */
    at?: string;
  }

  const assistantLine = (
    r: Response,
    u: Usage,
    ctx: { sessionId: string; cwd: string; sidechain: boolean; agentId?: string },
    ts: string,
  ): string =>
    JSON.stringify({
      parentUuid: `u-${uid}`,
      isSidechain: ctx.sidechain,
      userType: 'external',
      cwd: ctx.cwd,
      sessionId: ctx.sessionId,
      version: '2.0.31',
      gitBranch: 'main',
      ...(ctx.agentId ? { agentId: ctx.agentId } : {}),
      message: {
        id: r.id,
        type: 'message',
        role: 'assistant',
        model: r.model,
        content: [{ type: 'text', text: `${pad} ${uid}` }],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...u, service_tier: 'standard' },
      },
      requestId: r.req,
      type: 'assistant',
      uuid: `u-${++uid}`,
      timestamp: ts,
      ...(r.costUSD === undefined ? {} : { costUSD: r.costUSD }),
    });

  const userLine = (ctx: { sessionId: string; cwd: string; sidechain: boolean }, ts: string): string =>
    JSON.stringify({
      parentUuid: `u-${uid}`,
      isSidechain: ctx.sidechain,
      userType: 'external',
      cwd: ctx.cwd,
      sessionId: ctx.sessionId,
      version: '2.0.31',
      type: 'user',
      message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `t-${uid}`, content: pad }] },
      uuid: `u-${++uid}`,
      timestamp: ts,
    });

  /** Writes one response: 1-3 streamed copies with growing output, the last one complete. */
  const writeResponse = (
    file: string,
    r: Response,
    ctx: { sessionId: string; cwd: string; sidechain: boolean; agentId?: string },
  ): string[] => {
    const copies = int(1, 3);
    const lines: string[] = [];
    for (let c = 1; c <= copies; c++) {
      const u = c === copies ? r.usage : { ...r.usage, output_tokens: Math.floor((r.usage.output_tokens * c) / (copies + 1)) };
      const ts = tick();
      if (c === copies) r.at = ts;
      const line = assistantLine(r, u, ctx, ts);
      push(file, line);
      lines.push(line);
    }
    return lines;
  };

  const agents = opts.agents ?? 3;
  const sessionsPerAgent = opts.sessionsPerAgent ?? 2;
  const responsesPerSession = opts.responsesPerSession ?? 20;
  for (let a = 0; a < agents; a++) {
    const cwd = `${root}/agent-${a}`;
    const project = `projects/${cwd.replace(/[/.]/g, '-')}`;
    let previous: { file: string; lines: string[] } | undefined;
    for (let s = 0; s < sessionsPerAgent; s++) {
      const sessionId = `${px}sess-${a}-${s}`;
      const file = `${project}/${sessionId}.jsonl`;
      const ctx = { sessionId, cwd, sidechain: false };
      // A resumed session begins by copying the previous session's lines: nothing new in them.
      if (previous && rand() < 0.7) for (const line of previous.lines.slice(0, int(1, previous.lines.length))) push(file, line);
      const parentResponses: Response[] = [];
      for (let i = 0; i < responsesPerSession; i++) {
        push(file, userLine(ctx, tick()));
        const model = pick(models);
        const r: Response = { id: `msg_${px}${a}_${s}_${i}`, req: `req_${px}${a}_${s}_${i}`, model, usage: makeUsage(model) };
        if (opts.costUSD !== false && rand() < 0.1) r.costUSD = Math.round(rand() * 2e6) / 1e6;
        writeResponse(file, r, ctx);
        count(cwd, r.usage);
        parentResponses.push(r);
        if (opts.malformed !== false && rand() < 0.03) {
          // A line cut short (a crash mid-write), then the writer carried on.
          const full = assistantLine(r, r.usage, ctx, tick());
          const cut = full.slice(0, full.indexOf('"usage":{') + 20);
          push(file, cut);
          malformedLines.add(cut);
        }
        if (rand() < 0.1) {
          // A subagent: its own sidechain file, and agent_progress copies of its records in the parent.
          const agentId = `${px}ag${a}_${s}_${i}`;
          const subFile = `${project}/${sessionId}/subagents/agent-${agentId}.jsonl`;
          const subCtx = { sessionId, cwd, sidechain: true, agentId };
          for (let k = 0; k < int(1, 3); k++) {
            const sm = pick(models);
            const sr: Response = {
              id: `msg_sub_${agentId}_${k}`,
              req: `req_sub_${agentId}_${k}`,
              model: sm,
              usage: makeUsage(sm),
            };
            const lines = writeResponse(subFile, sr, subCtx);
            count(cwd, sr.usage);
            const last = JSON.parse(lines[lines.length - 1] as string);
            push(
              file,
              JSON.stringify({
                parentUuid: `u-${uid}`,
                isSidechain: false,
                cwd,
                sessionId,
                version: '2.0.31',
                type: 'progress',
                data: { type: 'agent_progress', agentId, message: last },
                toolUseID: `t-${uid}`,
                uuid: `u-${++uid}`,
                timestamp: tick(),
              }),
            );
          }
        }
      }
      if (rand() < 0.5 && parentResponses.length > 0) {
        // A /btw side question: replays some parent messages (same id, new requestId), then answers.
        const asideFile = opts.asideInParentFile ? file : `${project}/${sessionId}/subagents/agent-aside_${px}${a}_${s}.jsonl`;
        const asideCtx = { sessionId, cwd, sidechain: true };
        for (const r of parentResponses.slice(0, int(1, 3))) {
          // A replay is a copy: it keeps the parent line's timestamp.
          push(asideFile, assistantLine({ ...r, req: `${r.req}_aside` }, r.usage, asideCtx, r.at ?? tick()));
          addUsage(replayed, r.usage);
        }
        const am = pick(models);
        const answer: Response = {
          id: `msg_aside_${px}${a}_${s}`,
          req: `req_aside_${px}${a}_${s}`,
          model: am,
          usage: makeUsage(am),
        };
        writeResponse(asideFile, answer, asideCtx);
        count(cwd, answer.usage);
      }
      if (opts.malformed !== false && rand() < 0.5) {
        push(file, '{"type":"assistant","message":{"usage":{ this is not json');
        malformedLines.add('{"type":"assistant","message":{"usage":{ this is not json');
      }
      previous = { file, lines: files.get(file) ?? [] };
    }
  }
  let malformed = 0;
  for (const lines of files.values()) for (const line of lines) if (malformedLines.has(line)) malformed++;
  return { files, expected, byCwd, malformed, replayed };
}

/** Writes (appends) the given lines of each file under `dir`. */
export function writeTree(
  dir: string,
  files: Map<string, string[]>,
  range?: (file: string, n: number) => [number, number],
): void {
  for (const [rel, lines] of files) {
    const [from, to] = range ? range(rel, lines.length) : [0, lines.length];
    if (from >= to) continue;
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${lines.slice(from, to).join('\n')}\n`);
  }
}
