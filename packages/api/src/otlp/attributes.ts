/** OTLP `KeyValue` as `toObject` gives it (longs as strings). */
export interface KeyValue {
  key?: string;
  value?: { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number };
}

/**
 * Attributes as a Map (their keys are the sender's strings: never plain-object keys). Only scalar
 * values are kept; arrays and maps say nothing Gas Gauge reads.
 */
export function attributeMap(list: readonly KeyValue[] | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const { key, value } of list ?? []) {
    if (key === undefined || value === undefined) continue;
    const v = value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
    if (v !== undefined) map.set(key, String(v));
  }
  return map;
}

/** A canonical text of attributes (sorted by key), for series identity. */
export function canonical(map: ReadonlyMap<string, string>): [string, string][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
