/**
 * When the Node host writes the ingest requests gathered for a town (group commit): after the I/O
 * callbacks of this event-loop turn and the next, so requests that arrive together share one commit
 * (measured: about 5 requests per commit with 8 in flight, against 4 after one turn).
 */
export function afterTwoTurns(fn: () => void): void {
  setImmediate(() => setImmediate(fn));
}
