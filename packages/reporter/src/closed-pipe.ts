/**
 * A closed stdout or stderr (`gasgauge town list | head -1`, a log reader that went away) ends a command the way
 * it ends a standard Unix tool: quietly, with the status a shell gives a process ended by SIGPIPE. Node ignores
 * SIGPIPE, so a write into a closed pipe was an EPIPE 'error' event nobody listened for: a stack trace and exit 1.
 *
 * A short command ends at once. A long-running one (`serve`, `report`) registers a stop with `onOutputClosed`
 * and ends as on SIGTERM: requests finish, what is not delivered stays in the outbox. Either way the exit status
 * is CLOSED_PIPE_STATUS.
 */

/** 128 + SIGPIPE (13): what a shell reports for `yes | head -1`'s yes (with `set -o pipefail`, the pipeline's). */
export const CLOSED_PIPE_STATUS = 141;

const guarded = new WeakSet<NodeJS.WritableStream>();
const stops = new Set<() => void>();
let closed = false;

/** A write error that says the reader is gone (not a full disk or an I/O error, which stay errors). */
function isClosedPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Makes a closed pipe on these streams (process.stdout and process.stderr) end the command; idempotent. */
export function guardClosedPipes(streams: readonly NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (guarded.has(stream)) continue;
    guarded.add(stream);
    stream.on('error', (err: unknown) => {
      if (!isClosedPipe(err)) throw err;
      outputClosed();
    });
  }
}

function outputClosed(): void {
  if (closed) return;
  closed = true;
  if (stops.size === 0) process.exit(CLOSED_PIPE_STATUS);
  for (const stop of stops) stop();
}

/**
 * A long-running command's clean stop, called (once) when its output closes, in place of ending the process at
 * once. Returns what unregisters it: call it when the command ends.
 */
export function onOutputClosed(stop: () => void): () => void {
  stops.add(stop);
  if (closed) stop();
  return () => stops.delete(stop);
}

/** Whether stdout or stderr closed: the command's exit status is then CLOSED_PIPE_STATUS. */
export function outputWasClosed(): boolean {
  return closed;
}
