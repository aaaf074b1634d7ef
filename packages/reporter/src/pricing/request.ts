import { MatchCache, ModelTable } from './match.js';
import type { ModelsDevPrices } from './models-dev.js';

/** USD per token as LiteLLM publishes them; `_above_<n>k_tokens` rates apply to a whole long request. */
interface ListedPrice {
  input_cost_per_token: number;
  output_cost_per_token: number;
  cache_read_input_token_cost?: number;
  /** Cache writes (OpenCode's `cache.write`), when listed; else priced at 1.25 × input (opencode/prices.ts). */
  cache_creation_input_token_cost?: number;
  input_cost_per_token_above_200k_tokens?: number;
  output_cost_per_token_above_200k_tokens?: number;
  cache_read_input_token_cost_above_200k_tokens?: number;
  input_cost_per_token_above_272k_tokens?: number;
  output_cost_per_token_above_272k_tokens?: number;
  cache_read_input_token_cost_above_272k_tokens?: number;
  /** Priority ("fast") tier: this many times the listed rates (ccusage's per-model table; 1 when absent). */
  fast_multiplier?: number;
}

export interface RequestPriceFile {
  _source: { repository: string; commit: string; retrieved: string };
  // biome-ignore lint/plugin/no-string-keys: the shipped price list's shape; read once into a Map
  models: Record<string, ListedPrice>;
}

interface Rates {
  input: number;
  output: number;
  cacheRead: number;
}

export interface RequestPrice extends Rates {
  /** USD per cache-written token, when the list gives one. */
  cacheWrite?: number;
  /** False when the list gives no cache-read rate (`cacheRead` is then the input rate, ccusage's rule for these lists). */
  cacheReadListed?: boolean;
  /** Above this many prompt tokens (input with cached), the whole request costs `long`. */
  long?: { threshold: number; rates: Rates };
  fastMultiplier: number;
}

/** One model response: `input` excludes cached tokens; `output` includes reasoning (billed as output). */
export interface RequestTokens {
  input: number;
  cached: number;
  output: number;
}

/**
 * ccusage 20.0.24 prices the priority tier only for models in its multiplier table; the others stay at
 * the standard rates (LiteLLM's `_priority` fields would say 2× for the gpt-5 family: README).
 */
const DEFAULT_FAST_MULTIPLIER = 1;

function toPrice(p: ListedPrice): RequestPrice {
  const base = {
    input: p.input_cost_per_token,
    output: p.output_cost_per_token,
    cacheRead: p.cache_read_input_token_cost ?? p.input_cost_per_token,
  };
  const price: RequestPrice = { ...base, fastMultiplier: p.fast_multiplier ?? DEFAULT_FAST_MULTIPLIER };
  if (p.cache_creation_input_token_cost !== undefined) price.cacheWrite = p.cache_creation_input_token_cost;
  if (p.cache_read_input_token_cost === undefined) price.cacheReadListed = false;
  for (const [threshold, i, o, c] of [
    [
      272_000,
      p.input_cost_per_token_above_272k_tokens,
      p.output_cost_per_token_above_272k_tokens,
      p.cache_read_input_token_cost_above_272k_tokens,
    ],
    [
      200_000,
      p.input_cost_per_token_above_200k_tokens,
      p.output_cost_per_token_above_200k_tokens,
      p.cache_read_input_token_cost_above_200k_tokens,
    ],
  ] as const) {
    if (i === undefined) continue;
    price.long = { threshold, rates: { input: i, output: o ?? base.output, cacheRead: c ?? base.cacheRead } };
    break;
  }
  return price;
}

/**
 * Prices for OpenAI (Codex CLI) and Google (Gemini CLI) models. Both vendors price a long request whole:
 * past the threshold every token of the request is billed at the long-context rate, not only the tokens
 * past it (unlike Anthropic's per-kind tiers in claude/pricing.ts); ccusage 20.0.24 does the same.
 */
export class RequestPriceList {
  private readonly prices = new Map<string, RequestPrice>();
  private readonly table: ModelTable<RequestPrice>;
  private readonly cache = new MatchCache<RequestPrice>();
  readonly source: RequestPriceFile['_source'];

  /**
   * @param prefixes provider prefixes tried first, in order, as `<prefix>/<model>` (ccusage's candidates for
   *   Gemini: the price list names Gemini API models `gemini/<model>`); then the model name itself.
   */
  /**
   * @param fallback ccusage's second list (its models.dev snapshot), for names this one does not know: its
   *   exact-only entries are tried after this list's exact names and before its contained-name matches (so
   *   `o3-mini` is o3-mini, not the longer `openrouter/openai/o3-mini:batch`), the rest after everything.
   */
  constructor(
    file: RequestPriceFile,
    private readonly prefixes: readonly string[] = [],
    private readonly fallback?: ModelsDevPrices,
  ) {
    this.source = file._source;
    for (const [model, p] of Object.entries(file.models)) this.prices.set(model, toPrice(p));
    this.table = new ModelTable(this.prices);
  }

  find(model: string): RequestPrice | undefined {
    return this.cache.lookup(model, () => this.look(model));
  }

  private look(model: string): RequestPrice | undefined {
    const candidates = [...this.prefixes.map((p) => `${p}/${model}`), model];
    const first = <T>(f: (candidate: string) => T | undefined): T | undefined => {
      for (const c of candidates) {
        const found = f(c);
        if (found) return found;
      }
      return undefined;
    };
    return (
      first((c) => this.prices.get(c)) ??
      (this.fallback && first((c) => this.fallback?.exactOnly(c))) ??
      first((c) => this.table.match(c)) ??
      (this.fallback && first((c) => this.fallback?.find(c)))
    );
  }

  /** USD for one response; 0 for a model the list does not know (as ccusage). */
  cost(model: string, t: RequestTokens, fast = false): number {
    const p = this.find(model);
    if (!p) return 0;
    const r = p.long && t.input + t.cached > p.long.threshold ? p.long.rates : p;
    const usd = t.input * r.input + t.cached * r.cacheRead + t.output * r.output;
    return fast ? usd * p.fastMultiplier : usd;
  }
}
