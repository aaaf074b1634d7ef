/**
 * Bidirectional formatting controls (embeddings, overrides, isolates, marks). In a name a reporter or
 * user chose, they reorder what is shown around them (`invoice\u202Efdp.exe` reads as `invoiceexe.pdf`),
 * so the UI never renders them raw: each is shown as a visible `⟨U+202E⟩`.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, (c) => `⟨U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

const SHOWN_CONTROL = /⟨U\+(061C|200E|200F|202[A-E]|206[6-9])⟩/g;

/**
 * The text as the server has it, from what `showBidiControls` made of it: for an id taken from an answer
 * that goes back to the server (a bead's link), never for showing.
 */
export function restoreBidiControls(text: string): string {
  return text.replace(SHOWN_CONTROL, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));
}

/**
 * Every string and object key in an API answer with its bidi controls made visible: the one place
 * data from the server passes before the UI renders it, so no component can forget.
 */
export function showBidiControlsDeep<T>(value: T): T {
  if (typeof value === 'string') return showBidiControls(value) as T;
  if (Array.isArray(value)) {
    // Columns of numbers (timeseries) are most of what arrives: leave them as they are.
    return (
      value.some((v) => typeof v === 'string' || (v !== null && typeof v === 'object')) ? value.map(showBidiControlsDeep) : value
    ) as T;
  }
  if (value !== null && typeof value === 'object') {
    // biome-ignore lint/plugin/no-string-keys: fromEntries defines own properties (never the __proto__ setter), and the server's answers key objects by fixed field names only
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [showBidiControls(k), showBidiControlsDeep(v)])) as T;
  }
  return value;
}
