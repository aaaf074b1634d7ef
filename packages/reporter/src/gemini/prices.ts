// Imported, not read from beside this file: the installable package bundles the modules into one folder.

import { modelsDevPrices } from '../pricing/models-dev.js';
import { type RequestPriceFile, RequestPriceList } from '../pricing/request.js';
import PRICES from './prices.json' with { type: 'json' };

/** ccusage's candidates for a Gemini model name, tried in order before the name itself. */
const PROVIDER_PREFIXES = ['google', 'gemini', 'vertex_ai', 'openrouter/google'];

/** The shipped LiteLLM subset for the Google models Gemini CLI reports (`prices.json`). */
export function geminiPrices(): RequestPriceList {
  return new RequestPriceList(PRICES as RequestPriceFile, PROVIDER_PREFIXES, modelsDevPrices());
}
