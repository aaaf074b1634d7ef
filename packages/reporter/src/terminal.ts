/**
 * A line as the terminal should show it: control characters (but tab) and bidirectional overrides spelled
 * out (`\u001b`). Lines carry text that others wrote: what users stored through the API (an ingest key's
 * agent id is any text), and what the reporter read from agents' files (a transcript's message id, a
 * path); an escape sequence printed raw would act on the operator's terminal (rewrite its title, clear
 * it, or forge what a command shows). The server's CLI and the reporter print through it.
 */
export function shown(line: string): string {
  return line.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
    /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
