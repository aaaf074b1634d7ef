import { BoundedSet } from '@gasgauge/core/bounded-map';
import { boundedId } from '../ids.js';

/** What a source that prices usage is given: whom to tell of a model no price list knows. */
export interface PricingOptions {
  /** A response of this model had tokens but no price: its record is sent with cost 0. */
  onUnpriced?: (model: string) => void;
}

/** Models said at most (a transcript may name any number of made-up ones). */
const MAX_TOLD = 1000;

/**
 * Says once per model that its usage is sent with cost 0: ccusage prices a model no list knows at 0 without a word,
 * and a new model's spend then went missing from every total with nothing to say why.
 */
export function unpricedTeller(log: (line: string) => void): (model: string) => void {
  const told = new BoundedSet<string>(MAX_TOLD);
  return (model) => {
    // Remembered and said as the record names it (a 10 MB name, which a file may hold, as its digest): bounded.
    const name = boundedId(model);
    if (told.has(name)) return;
    told.add(name);
    log(`no price for model ${JSON.stringify(name)}: its usage is sent with cost 0 (see the reporter README, "Cost")`);
  };
}
