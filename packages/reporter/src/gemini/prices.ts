import { RequestPriceList } from '../pricing/request.js';

/** The shipped price subset for the Google models Gemini CLI reports (`prices.json`). */
export function geminiPrices(): RequestPriceList {
  return RequestPriceList.load(new URL('./prices.json', import.meta.url));
}
