/** Progress goes to stderr; only the final table goes to stdout. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
