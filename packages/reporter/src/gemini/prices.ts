import { RequestPriceList } from '../pricing/request.js';

/** ccusage's candidates for a Gemini model name, tried in order before the name itself. */
const PROVIDER_PREFIXES = ['google', 'gemini', 'vertex_ai', 'openrouter/google'];

/** The shipped LiteLLM subset for the Google models Gemini CLI reports (`prices.json`). */
export function geminiPrices(): RequestPriceList {
  return RequestPriceList.load(new URL('./prices.json', import.meta.url), PROVIDER_PREFIXES);
}
