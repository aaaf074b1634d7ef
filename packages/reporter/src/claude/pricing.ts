// Imported, not read from beside this file: the installable package bundles the modules into one folder.

import { MatchCache, ModelTable } from '../pricing/match.js';
import { type RequestPriceFile, RequestPriceList } from '../pricing/request.js';
import MORE_PRICES from './more-prices.json' with { type: 'json' };
import PRICES from './prices.json' with { type: 'json' };

/** USD per token, as LiteLLM publishes them. */
interface LiteLlmPrice {
  input_cost_per_token: number;
  output_cost_per_token: number;
  cache_creation_input_token_cost?: number;
  cache_read_input_token_cost?: number;
  input_cost_per_token_above_200k_tokens?: number;
  output_cost_per_token_above_200k_tokens?: number;
  cache_creation_input_token_cost_above_200k_tokens?: number;
  cache_read_input_token_cost_above_200k_tokens?: number;
  provider_specific_entry?: { fast?: number };
}

export interface PriceFile {
  _source: { repository: string; commit: string; retrieved: string };
  // biome-ignore lint/plugin/no-string-keys: the shipped file's shape; read only through Object.entries into a Map
  models: Record<string, LiteLlmPrice>;
}

export interface ModelPrice {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** Long-context rates, applied per token kind to the tokens past 200k (LiteLLM's `_above_200k_tokens`). */
  above200k: { input?: number; output?: number; cacheWrite5m?: number; cacheWrite1h?: number; cacheRead?: number };
  /** `speed: "fast"` responses cost this many times the listed rates. */
  fastMultiplier: number;
}

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  fast: boolean;
}

const TIER_TOKENS = 200_000;
/** Anthropic prices a 1-hour cache write at twice the base input rate (ccusage uses the same rule). */
const CACHE_1H_INPUT_MULTIPLIER = 2;

function toPrice(p: LiteLlmPrice): ModelPrice {
  const input = p.input_cost_per_token;
  const inputAbove = p.input_cost_per_token_above_200k_tokens;
  const above200k: ModelPrice['above200k'] = {};
  if (inputAbove !== undefined) {
    above200k.input = inputAbove;
    above200k.cacheWrite1h = inputAbove * CACHE_1H_INPUT_MULTIPLIER;
  }
  if (p.output_cost_per_token_above_200k_tokens !== undefined) above200k.output = p.output_cost_per_token_above_200k_tokens;
  if (p.cache_creation_input_token_cost_above_200k_tokens !== undefined) {
    above200k.cacheWrite5m = p.cache_creation_input_token_cost_above_200k_tokens;
  }
  if (p.cache_read_input_token_cost_above_200k_tokens !== undefined)
    above200k.cacheRead = p.cache_read_input_token_cost_above_200k_tokens;
  return {
    input,
    output: p.output_cost_per_token,
    // LiteLLM's defaults when a rate is missing: writes 1.25×, reads 0.1× the input rate.
    cacheWrite5m: p.cache_creation_input_token_cost ?? input * 1.25,
    // Not LiteLLM's `_above_1hr` field: it disagrees with Anthropic's 2× rule for two claude-3 models.
    cacheWrite1h: input * CACHE_1H_INPUT_MULTIPLIER,
    cacheRead: p.cache_read_input_token_cost ?? input * 0.1,
    above200k,
    fastMultiplier: p.provider_specific_entry?.fast ?? 1,
  };
}

function tiered(tokens: number, base: number, above: number | undefined): number {
  if (tokens <= 0) return 0;
  if (above === undefined || tokens <= TIER_TOKENS) return tokens * base;
  return TIER_TOKENS * base + (tokens - TIER_TOKENS) * above;
}

/** ccusage's other Claude names (Bedrock, regional, claude-mythos-* …), tried when prices.json has no match. */
const MORE = new RequestPriceList(MORE_PRICES as RequestPriceFile);

/** The shipped LiteLLM subset, looked up by Claude Code's model names. */
export class PriceList {
  private readonly prices = new Map<string, ModelPrice>();
  private readonly table: ModelTable<ModelPrice>;
  private readonly cache = new MatchCache<ModelPrice>();
  readonly source: PriceFile['_source'];

  /**
   * @param fallback where a name this list does not know is priced: ccusage prices every source from one list,
   *   so a Claude Code transcript naming glm-4.6 (Z.ai's Anthropic-compatible endpoint), kimi-k2, deepseek-chat,
   *   claude-3-5-sonnet-20241022 or OpenRouter's anthropic/claude-sonnet-4 has a price there (the OpenAI list,
   *   then ccusage's models.dev snapshot: `codexPrices()`), not 0.
   */
  constructor(
    file: PriceFile,
    private readonly fallback?: Pick<RequestPriceList, 'find'>,
  ) {
    this.source = file._source;
    for (const [model, p] of Object.entries(file.models)) this.prices.set(model, toPrice(p));
    this.table = new ModelTable(this.prices);
  }

  static load(fallback?: Pick<RequestPriceList, 'find'>): PriceList {
    return new PriceList(PRICES as PriceFile, fallback);
  }

  /** Exact name, then the same with `.`/`@` as `-`, then the longest listed name found in it (or containing it); then the fallback. */
  find(model: string): ModelPrice | undefined {
    return this.cache.lookup(model, () => this.table.match(model) ?? this.fromFallback(model));
  }

  /** A fallback's rates as a Claude price: its cache-write rate or 1.25 × input, 1-hour writes 2 × input, reads its rate or 0.1 × input, no tiers. */
  private fromFallback(model: string): ModelPrice | undefined {
    const p = MORE.find(model) ?? this.fallback?.find(model);
    if (!p) return undefined;
    return {
      input: p.input,
      output: p.output,
      cacheWrite5m: p.cacheWrite ?? p.input * 1.25,
      cacheWrite1h: p.input * CACHE_1H_INPUT_MULTIPLIER,
      // Without a listed cache-read rate, a Claude transcript's reads cost 0.1 × input (LiteLLM's default, as above).
      cacheRead: p.cacheReadListed === false ? p.input * 0.1 : p.cacheRead,
      above200k: {},
      fastMultiplier: p.fastMultiplier,
    };
  }

  /** USD for one response; 0 for a model the list does not know (ccusage does the same). */
  cost(model: string | undefined, t: TokenCounts): number {
    const p = model === undefined ? undefined : this.find(model);
    if (!p) return 0;
    const a = p.above200k;
    const usd =
      tiered(t.input, p.input, a.input) +
      tiered(t.output, p.output, a.output) +
      tiered(t.cacheWrite5m, p.cacheWrite5m, a.cacheWrite5m) +
      tiered(t.cacheWrite1h, p.cacheWrite1h, a.cacheWrite1h) +
      tiered(t.cacheRead, p.cacheRead, a.cacheRead);
    return t.fast ? usd * p.fastMultiplier : usd;
  }
}
