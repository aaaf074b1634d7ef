import { RequestPriceList } from '../pricing/request.js';

/** The shipped LiteLLM subset for the OpenAI models Codex CLI reports (`prices.json`). */
export function codexPrices(): RequestPriceList {
  return RequestPriceList.load(new URL('./prices.json', import.meta.url));
}
