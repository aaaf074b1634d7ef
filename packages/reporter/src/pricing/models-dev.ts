// Imported, not read from beside this file: the installable package bundles the modules into one folder.

import { ModelTable } from './match.js';
import MODELS_DEV from './models-dev.json' with { type: 'json' };
import type { RequestPrice } from './request.js';

/** USD per million tokens, as models.dev gives them; `x`: matched by its exact name only. */
interface ListedModel {
  i: number;
  o: number;
  cr?: number;
  cw?: number;
  x?: number;
}

interface ModelsDevFile {
  _source: { repository: string; retrieved: string };
  // biome-ignore lint/plugin/no-string-keys: the shipped price list's shape; read once into Maps
  models: Record<string, ListedModel>;
}

/**
 * ccusage 20.0.24's offline fallback for a model its LiteLLM subset does not know: the models.dev snapshot
 * embedded in its binary (`models-dev.json`, 2,828 names: Grok, DeepSeek, Kimi, GLM, Qwen, gpt-oss, Gemma and
 * every provider's aliases). Long-context tiers are not applied.
 */
export class ModelsDevPrices {
  /** The entries a contained name may match. */
  private readonly loose = new Map<string, RequestPrice>();
  /** The entries matched by their exact name only. */
  private readonly exact = new Map<string, RequestPrice>();
  private readonly table: ModelTable<RequestPrice>;

  constructor(file: ModelsDevFile = MODELS_DEV as ModelsDevFile) {
    for (const [model, m] of Object.entries(file.models)) {
      const price: RequestPrice = {
        input: m.i / 1e6,
        output: m.o / 1e6,
        cacheRead: (m.cr ?? m.i) / 1e6,
        fastMultiplier: 1,
        ...(m.cw === undefined ? {} : { cacheWrite: m.cw / 1e6 }),
        ...(m.cr === undefined ? { cacheReadListed: false } : {}),
      };
      (m.x ? this.exact : this.loose).set(model, price);
    }
    this.table = new ModelTable(this.loose);
  }

  /** An exact-only entry of this very name. */
  exactOnly(model: string): RequestPrice | undefined {
    return this.exact.get(model);
  }

  /** The entry of this name, else the longest other name found in it or containing it (ccusage's rule). */
  find(model: string): RequestPrice | undefined {
    return this.exact.get(model) ?? this.table.match(model);
  }
}

let shared: ModelsDevPrices | undefined;
/** One copy for the process: the list is read once. */
export function modelsDevPrices(): ModelsDevPrices {
  shared ??= new ModelsDevPrices();
  return shared;
}
