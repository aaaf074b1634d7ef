/**
 * Whether `text` is longer than `max` characters, counted as every schema's `z.string().max()` counts them:
 * Unicode code points, so an emoji is one character, not two UTF-16 units. A bound checked by hand (OTLP's
 * agent, model and attribute lengths, a grant's note, a webhook URL) uses this, so text one check accepts
 * another does not refuse.
 */
export function longerThan(text: string, max: number): boolean {
  if (text.length <= max) return false;
  let chars = 0;
  for (const _ of text) if (++chars > max) return true;
  return false;
}
