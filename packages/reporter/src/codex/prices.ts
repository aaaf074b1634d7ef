// Imported, not read from beside this file: the installable package bundles the modules into one folder.

import { modelsDevPrices } from '../pricing/models-dev.js';
import { type RequestPriceFile, RequestPriceList } from '../pricing/request.js';
import PRICES from './prices.json' with { type: 'json' };

/** The shipped LiteLLM subset for the OpenAI models Codex CLI reports (`prices.json`). */
export function codexPrices(): RequestPriceList {
  return new RequestPriceList(PRICES as RequestPriceFile, [], modelsDevPrices());
}
