import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLine } from './claude/parse.js';
import { parseCodexLine } from './codex/parse.js';
import { feedLine, newRolloutState } from './codex/rollout.js';
import { mapGastownEvent } from './gastown/events.js';
import { feedGeminiJsonl, newGeminiJsonlState, parseGeminiJson } from './gemini/parse.js';

const weird = fc.oneof(
  fc.constantFrom(
    1e308,
    -1,
    2 ** 63,
    9e15,
    8.64e15 + 1,
    -0,
    0.5,
    Number.MAX_SAFE_INTEGER,
    -1e308,
    1e21,
    '',
    ' ',
    'x',
    '2026-12-05T06:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '0000-01-01T00:00:00Z',
    null,
    true,
    [],
    {},
    '__proto__',
    'constructor',
    'toString',
  ),
  fc.integer(),
  fc.double(),
  fc.string(),
);
const val: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    weird,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'input_tokens',
        'output_tokens',
        'cached_input_tokens',
        'reasoning_output_tokens',
        'total_tokens',
        'cache_read_input_tokens',
        'cache_creation_input_tokens',
        'cache_creation',
        'ephemeral_5m_input_tokens',
        'ephemeral_1h_input_tokens',
        'input',
        'output',
        'cached',
        'thoughts',
        'tool',
        'total',
        'model',
        'id',
        'tokens',
        'usage',
        'models',
        'api',
        'totalRequests',
        'promptTokenCount',
        '__proto__',
        'speed',
        'server_tool_use',
      ),
      tie('v'),
      { maxKeys: 5 },
    ),
  ),
})).v;
const usageish = fc.record(
  {
    input_tokens: val,
    output_tokens: val,
    cached_input_tokens: val,
    reasoning_output_tokens: val,
    total_tokens: val,
    cache_read_input_tokens: val,
    cache_creation_input_tokens: val,
    cache_creation: val,
    speed: val,
  },
  { requiredKeys: [] },
);
const ts = fc.oneof(weird, val);
const claude = fc.record({
  type: fc.constantFrom('assistant', 'progress', 'user'),
  timestamp: ts,
  sessionId: val,
  requestId: val,
  cwd: val,
  isSidechain: val,
  costUSD: val,
  version: val,
  message: fc.record({ id: val, model: val, usage: usageish }, { requiredKeys: [] }),
  data: val,
});
const codex = fc.record({
  timestamp: ts,
  type: fc.constantFrom('session_meta', 'turn_context', 'event_msg'),
  payload: fc.record(
    {
      type: fc.constant('token_count'),
      id: val,
      cwd: val,
      model: val,
      forked_from_id: val,
      source: val,
      info: fc.record({ last_token_usage: usageish, total_token_usage: usageish, model: val }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
});
const gem = fc.record({
  id: val,
  timestamp: ts,
  type: fc.constantFrom('gemini', 'user'),
  model: val,
  tokens: fc.record({ input: val, output: val, cached: val, thoughts: val, tool: val, total: val }, { requiredKeys: [] }),
  sessionId: val,
  stats: val,
  models: val,
});
const gt = fc.record({
  ts: ts,
  type: fc.constantFrom(
    'spawn',
    'session_start',
    'session_end',
    'sling',
    'hook',
    'unhook',
    'done',
    'merged',
    'kill',
    'session_death',
    'nudge',
    'mail',
    'x',
  ),
  actor: val,
  source: val,
  payload: fc.oneof(
    val,
    fc.dictionary(
      fc.constantFrom(
        'bead',
        'branch',
        'target',
        'agent',
        'polecat',
        'rig',
        'reason',
        'bead_id',
        'title',
        'status',
        'issue',
        'molecule',
      ),
      val,
    ),
  ),
  visibility: val,
});

/**
 * Every line parser meets what an agent may write: numbers at and past every bound (1e308, -1, 2^63, past
 * Date's range), strings, arrays and objects where amounts, ids and times belong. None may throw: a throw is
 * not one malformed line, it stops every source's read after it (`reading sources failed`), at every poll.
 */
describe('line parsers on hostile values', () => {
  const never = (f: () => unknown) => {
    try {
      f();
      return true;
    } catch {
      return false;
    }
  };
  const runs = { numRuns: 3000 };
  it('Claude Code lines', () => {
    fc.assert(
      fc.property(claude, (l) => never(() => parseLine(JSON.stringify(l)))),
      runs,
    );
  });
  it('Codex rollout lines, fed in order', () => {
    fc.assert(
      fc.property(fc.array(codex, { maxLength: 4 }), (ls) =>
        never(() => {
          const st = newRolloutState(undefined);
          for (const l of ls) feedLine(st, parseCodexLine(JSON.stringify(l)), () => []);
        }),
      ),
      runs,
    );
  });
  it('Codex: a numeric timestamp past the range of Date is no time (it threw Invalid time value)', () => {
    for (const timestamp of [9e15, 8.64e15 + 1, Number.MAX_SAFE_INTEGER, 1e308, -1])
      expect(
        parseCodexLine(JSON.stringify({ timestamp, type: 'event_msg', payload: { type: 'token_count', info: {} } })),
      ).toMatchObject({
        kind: 'tokens',
        at: undefined,
      });
  });
  it('Gemini CLI chats, .jsonl and .json', () => {
    fc.assert(
      fc.property(
        fc.array(gem, { maxLength: 3 }),
        (ls) =>
          never(() =>
            feedGeminiJsonl(
              newGeminiJsonlState('s'),
              ls.map((l) => JSON.stringify(l)),
              Date.now(),
            ),
          ) && never(() => parseGeminiJson(JSON.stringify({ sessionId: 's', messages: ls }), 's', Date.now())),
      ),
      runs,
    );
  });
  it('Gas Town events', () => {
    fc.assert(
      fc.property(gt, (e) => never(() => mapGastownEvent(e as never, 'gt:x', Date.now(), { beadForBranch: () => undefined }))),
      runs,
    );
  });
});
