/**
 * Numbers in OTLP JSON may come as strings (64-bit integers always do). Only the decimal forms are
 * numbers here: `Number()` would also read hex ("0x10"), binary, octal, padding (" 12 ") and "Infinity",
 * and protobufjs's `parseInt` stops at the first bad character ("12abc" is 12).
 */
export const DECIMAL_INTEGER = /^-?\d{1,30}$/;
/** JSON's own number syntax, non-negative: what `String()` of an attribute's `doubleValue` gives (1e-7 too). */
export const DECIMAL = /^\d{1,30}(\.\d{1,30})?([eE][-+]?\d{1,3})?$/;

/** A non-negative decimal string as a number, or undefined when it is not one. */
export function decimal(text: string): number | undefined {
  return DECIMAL.test(text) ? Number(text) : undefined;
}
