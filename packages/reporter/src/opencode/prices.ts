import { PriceList } from '../claude/pricing.js';
import { codexPrices } from '../codex/prices.js';
import { geminiPrices } from '../gemini/prices.js';
import type { RequestPriceList } from '../pricing/request.js';
import type { Amounts } from './steps.js';

const CACHE_WRITE_INPUT_MULTIPLIER = 1.25;

/**
 * USD per cache-written token: the listed rate when there is one (ccusage's list gives some, e.g. 0 for zai/glm-*),
 * else LiteLLM's default (and ccusage's), 1.25 × input: OpenAI and Google list none.
 */
function cacheWriteRate(p: { input: number; cacheWrite?: number } | undefined): number {
  if (!p) return 0;
  return p.cacheWrite ?? p.input * CACHE_WRITE_INPUT_MULTIPLIER;
}

/** USD of one message's amounts at the list price of a model; 0 when unknown. */
type Pricer = (model: string, a: Amounts) => number;

/**
 * Prices a message whose `cost` is 0 (a provider OpenCode has no price for, or a subscription) from the
 * lists the other sources ship: Anthropic's for Claude models, OpenAI's and Google's for theirs. Model
 * names are tried as ccusage does: the name (two aliases resolved), `claude-x.y` as `claude-x-y`, then
 * `<provider>/<name>`. Reasoning is billed as output (as ccusage does).
 */
export class OpencodePrices {
  private readonly pricers: Pricer[];
  /** Whether a list has a price for a name (0 USD may be a price: a few tokens, a free model). */
  private readonly listed: ((model: string) => boolean)[];

  constructor(claude: PriceList, openai: RequestPriceList, google: RequestPriceList) {
    this.listed = [claude, openai, google].map((list) => (model: string) => list.find(model) !== undefined);
    const request =
      (list: RequestPriceList): Pricer =>
      (model, a) =>
        list.cost(model, { input: a.input, cached: a.cacheRead, output: a.output + a.reasoning }) +
        a.cacheWrite * cacheWriteRate(list.find(model));
    this.pricers = [
      (model, a) =>
        claude.cost(model, {
          input: a.input,
          output: a.output + a.reasoning,
          cacheRead: a.cacheRead,
          cacheWrite5m: a.cacheWrite,
          cacheWrite1h: 0,
          fast: false,
        }),
      request(openai),
      request(google),
    ];
  }

  /** The OpenAI and Google lists when the caller has them already: one copy of each, and one cache of its matches. */
  static load(openai: RequestPriceList = codexPrices(), google: RequestPriceList = geminiPrices()): OpencodePrices {
    return new OpencodePrices(PriceList.load(), openai, google);
  }

  /** Whether any list has a price for the model, under any of the names it is tried by (see microdollars). */
  knows(model: string, provider: string | undefined): boolean {
    return modelCandidates(model, provider).some((candidate) => this.listed.some((listed) => listed(candidate)));
  }

  /** Integer microdollars; 0 when no list knows the model. */
  microdollars(model: string, provider: string | undefined, a: Amounts): number {
    for (const candidate of modelCandidates(model, provider)) {
      for (const price of this.pricers) {
        const usd = price(candidate, a);
        if (usd > 0) return Math.round(usd * 1e6);
      }
    }
    return 0;
  }
}

const ALIASES = new Map([
  ['gemini-3-pro-high', 'gemini-3-pro-preview'],
  ['k2p6', 'kimi-k2.6'],
]);

/** `claude-sonnet-4.5…` or `claude-sonnet-45…` → `claude-sonnet-4-5…`, as ccusage normalizes OpenCode's names. */
function normalize(model: string): string {
  const m =
    /^(claude-(?:haiku|opus|sonnet)-)(\d+)\.(\d.*)$/.exec(model) ?? /^(claude-(?:haiku|opus|sonnet)-)(\d)(\d.*)$/.exec(model);
  return m ? `${m[1]}${m[2]}-${m[3]}` : model;
}

export function modelCandidates(model: string, provider: string | undefined): string[] {
  const resolved = ALIASES.get(model) ?? model;
  const base = [...new Set([resolved, normalize(resolved)])];
  const withProvider = provider && provider !== 'unknown' ? base.map((m) => `${provider.replace(/-/g, '_')}/${m}`) : [];
  return [...new Set([...base, ...withProvider])];
}
