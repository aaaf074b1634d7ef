import { BoundedMap } from '@gasgauge/core/bounded-map';

/**
 * Intl formatters, one per distinct locale and options. Building one costs ~0.1 ms (it loads locale
 * data); formatting with a built one costs microseconds. A chart's axis formats every tick label
 * several times while uPlot sizes its axes, so a formatter built per call cost the observability page
 * ~140 ms a load. `new Intl.*` and `toLocale*String` are refused elsewhere by lint/no-intl-per-call.grit.
 */

/** Formatters kept at most: options come from code, but a time zone can come from a town's settings. */
const MAX_KEPT = 256;

const dateFormats = new BoundedMap<string, Intl.DateTimeFormat>(MAX_KEPT);
const numberFormats = new BoundedMap<string, Intl.NumberFormat>(MAX_KEPT);

function kept<F>(cache: Map<string, F>, locale: string | undefined, opts: object, make: () => F): F {
  const key = `${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

export function dateTimeFormat(locale: string | undefined, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  // biome-ignore lint/plugin/no-intl-per-call: the one place formatters are built, then kept
  return kept(dateFormats, locale, opts, () => new Intl.DateTimeFormat(locale, opts));
}

export function numberFormat(locale: string | undefined, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  // biome-ignore lint/plugin/no-intl-per-call: the one place formatters are built, then kept
  return kept(numberFormats, locale, opts, () => new Intl.NumberFormat(locale, opts));
}
