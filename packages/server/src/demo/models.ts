/**
 * List prices of the models the demo fleet uses, in USD per million tokens — which is exactly
 * microdollars per token, so a record's cost is an integer sum without unit conversions.
 */
export interface Price {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

const SONNET: Price = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

const PRICES = new Map<string, Price>([
  ['claude-opus-4-1', { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 }],
  ['claude-sonnet-4-5', SONNET],
  ['claude-haiku-4-5', { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 }],
  // Reasoning tokens are billed as output.
  ['gpt-5', { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 }],
]);

export interface Tokens {
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export function costMicrodollars(model: string, t: Tokens): number {
  const p = PRICES.get(model) ?? SONNET;
  return Math.round(
    t.inputTokens * p.input +
      (t.outputTokens + t.reasoningTokens) * p.output +
      t.cacheReadTokens * p.cacheRead +
      t.cacheWriteTokens * p.cacheWrite,
  );
}

export function providerOf(model: string): string {
  return model.startsWith('gpt') ? 'openai' : 'anthropic';
}
