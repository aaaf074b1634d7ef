import { Random } from '@gasgauge/server';

/**
 * Generates Gemini CLI data dirs (`~/.gemini/tmp`) shaped like the real thing, for tests: per project a
 * `.project_root` and `chats/` with `.json` chats (rewritten whole by Gemini CLI) and `.jsonl` chats
 * (appended, where a later record with the same id updates a response); responses with cached,
 * thought and tool-use tokens; long (> 200k) prompts; responses without a model (not counted: a `.json`
 * chat has no model to fall back on), without tokens, or with zeros; `.jsonl` records that name the model
 * once for the ones after; lines that are not JSON. It says what the right totals are.
 */

export interface GeminiTotals {
  /** Prompt tokens without the cached ones, tool-use prompt included (as the API's inputTokens). */
  input: number;
  cacheRead: number;
  output: number;
  thoughts: number;
  responses: number;
}

export interface GeminiTree {
  /** File contents, relative to the data dir. `.json` files hold one JSON document; `.jsonl` lines. */
  files: Map<string, string>;
  /** The same chats one message shorter each (what a reader saw before the last rewrite). */
  earlier: Map<string, string>;
  expected: GeminiTotals;
  byProject: Map<string, GeminiTotals>;
  malformed: number;
}

export const GEMINI_MODELS = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-3-pro-preview', 'gemini-3-flash-preview'] as const;

interface Tokens {
  input: number;
  output: number;
  cached: number;
  thoughts: number;
  tool: number;
  total: number;
}

const zero = (): GeminiTotals => ({ input: 0, cacheRead: 0, output: 0, thoughts: 0, responses: 0 });

export function generateGeminiTree(
  opts: { seed?: number; projects?: number; chatsPerProject?: number; root?: string } = {},
): GeminiTree {
  const random = new Random(opts.seed ?? 1);
  const int = (lo: number, hi: number) => random.int(lo, hi);
  const chance = (p: number) => random.chance(p);
  const files = new Map<string, string>();
  const earlier = new Map<string, string>();
  const expected = zero();
  const byProject = new Map<string, GeminiTotals>();
  let malformed = 0;
  let clock = Date.now() - 3 * 3_600_000;
  const tick = () => {
    clock += int(2000, 20_000);
    return new Date(clock).toISOString();
  };
  const tokens = (): Tokens => {
    const input = chance(0.05) ? int(200_001, 260_000) : int(3000, 90_000);
    const cached = chance(0.7) ? int(0, input) : 0;
    const output = int(10, 3000);
    const thoughts = chance(0.6) ? int(0, 2000) : 0;
    const tool = chance(0.2) ? int(0, 500) : 0;
    // Gemini's totalTokenCount: prompt (cached included) + candidates + thoughts + tool-use prompt.
    return { input, output, cached, thoughts, tool, total: input + output + thoughts + tool };
  };
  const count = (project: string, t: Tokens) => {
    const p = byProject.get(project) ?? zero();
    byProject.set(project, p);
    for (const x of [expected, p]) {
      x.input += t.input - t.cached + t.tool;
      x.cacheRead += t.cached;
      x.output += t.output;
      x.thoughts += t.thoughts;
      x.responses++;
    }
  };

  for (let p = 0; p < (opts.projects ?? 3); p++) {
    const project = `${opts.root ?? '/work/town/gastown/polecats'}/gem${p}`;
    const dir = `proj-${p}`;
    // Gemini CLI writes it with the project's directory, before any chat: a `.jsonl` line is attributed as it is read.
    files.set(`${dir}/.project_root`, project);
    earlier.set(`${dir}/.project_root`, project);
    for (let c = 0; c < (opts.chatsPerProject ?? 3); c++) {
      const sessionId = `gs-${p}-${c}-${int(1000, 9999)}`;
      const start = tick();
      let model: string = random.pick(GEMINI_MODELS);
      if (chance(0.5)) {
        // A .json chat, rewritten whole after each message.
        const messages: object[] = [];
        const snapshots: string[] = [];
        for (let m = 0; m < int(4, 10); m++) {
          messages.push({ id: `u-${sessionId}-${m}`, timestamp: tick(), type: 'user', content: [{ text: 'do it' }] });
          const id = `g-${sessionId}-${m}`;
          if (chance(0.15)) model = random.pick(GEMINI_MODELS);
          if (chance(0.07)) {
            // An error reply: no tokens. Or a reply without a model: not counted (no model to price it by).
            messages.push(
              chance(0.5)
                ? { id, timestamp: tick(), type: 'gemini', content: 'error', model }
                : { id, timestamp: tick(), type: 'gemini', content: 'ok', tokens: tokens() },
            );
          } else {
            const t = tokens();
            messages.push({ id, timestamp: tick(), type: 'gemini', content: 'ok', thoughts: [], tokens: t, model });
            count(project, t);
          }
          snapshots.push(
            JSON.stringify(
              { sessionId, projectHash: `h${p}`, startTime: start, lastUpdated: new Date(clock).toISOString(), messages },
              null,
              2,
            ),
          );
        }
        const rel = `${dir}/chats/session-${start.slice(0, 16).replace(/:/g, '-')}-${sessionId}.json`;
        files.set(rel, snapshots[snapshots.length - 1] as string);
        earlier.set(rel, snapshots[Math.max(0, snapshots.length - 2)] as string);
      } else {
        // A .jsonl chat: a header, then records; a response's record may be written again, grown.
        const lines: string[] = [JSON.stringify({ sessionId, projectHash: `h${p}`, startTime: start, kind: 'main' })];
        for (let m = 0; m < int(4, 10); m++) {
          lines.push(JSON.stringify({ id: `u-${sessionId}-${m}`, timestamp: tick(), type: 'user', content: [{ text: 'go' }] }));
          const id = `g-${sessionId}-${m}`;
          const named = m === 0 || chance(0.5);
          const t = tokens();
          if (chance(0.3)) {
            const partial = { ...t, output: Math.floor(t.output / 2), thoughts: Math.floor(t.thoughts / 2) };
            partial.total = partial.input + partial.output + partial.thoughts + partial.tool;
            lines.push(
              JSON.stringify({
                id,
                timestamp: tick(),
                type: 'gemini',
                content: '…',
                tokens: partial,
                ...(named ? { model } : {}),
              }),
            );
          }
          lines.push(
            JSON.stringify({ id, timestamp: tick(), type: 'gemini', content: 'ok', tokens: t, ...(named ? { model } : {}) }),
          );
          count(project, t);
          if (chance(0.1)) {
            lines.push('{"id":"broken","type":"gemini","tokens":{"input":');
            malformed++;
          }
        }
        const rel = `${dir}/chats/session-${start.slice(0, 16).replace(/:/g, '-')}-${sessionId}.jsonl`;
        files.set(rel, `${lines.join('\n')}\n`);
        earlier.set(rel, `${lines.slice(0, Math.max(1, lines.length - 2)).join('\n')}\n`);
      }
    }
  }
  return { files, earlier, expected, byProject, malformed };
}
