/** Realistic usage records for the load client: unique random message ids, 16 agents, 4 models, event times in the last 10 s. */
const MODELS = [
  // model, provider, µ$ per input token, µ$ per output token (= $ per Mtok)
  ['claude-sonnet-4-5', 'anthropic', 3, 15],
  ['claude-opus-4-1', 'anthropic', 15, 75],
  ['gpt-5', 'openai', 1.25, 10],
  ['gemini-2.5-pro', 'google', 1.25, 10],
] as const;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const int = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** A random id in the shape of a provider message id (`msg_` + 24 base62), so inserts land all over the key space. */
function messageId(): string {
  let id = 'msg_';
  for (let i = 0; i < 24; i++) id += ALPHABET[Math.floor(Math.random() * 62)];
  return id;
}

export function usageRecord(now: number) {
  // 16 agents; each mostly uses its configured model, sometimes another (a sub-agent, a fallback).
  const agent = int(1, 16);
  const modelIndex = Math.random() < 0.9 ? agent % MODELS.length : int(0, MODELS.length - 1);
  const [model, provider, inPrice, outPrice] = MODELS[modelIndex] as (typeof MODELS)[number];
  const inputTokens = int(200, 20_000);
  const outputTokens = int(50, 4_000);
  const reasoningTokens = Math.random() < 0.5 ? 0 : int(0, 2_000);
  const cacheReadTokens = int(0, 100_000);
  const cacheWriteTokens = int(0, 10_000);
  return {
    id: messageId(),
    agentId: `agent-${agent}`,
    model,
    provider,
    inputTokens,
    outputTokens,
    reasoningTokens,
    cacheReadTokens,
    cacheWriteTokens,
    costMicrodollars: Math.round(
      inputTokens * inPrice +
        (outputTokens + reasoningTokens) * outPrice +
        cacheReadTokens * inPrice * 0.1 +
        cacheWriteTokens * inPrice * 1.25,
    ),
    // Reported shortly after the message finished; a reporter flushes its buffer every few seconds.
    at: now - int(0, 10_000),
    mode: 'delta',
  };
}

/** The JSON body of POST /api/towns/:id/usage with `batch` fresh records. */
export function usageBody(batch: number, now = Date.now()): string {
  const records = [];
  for (let i = 0; i < batch; i++) records.push(usageRecord(now));
  return JSON.stringify({ records });
}
