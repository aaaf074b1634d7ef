import type { Server } from 'node:http';

/** How long requests under way at shutdown get to be answered. */
export const DRAIN_MS = 1000;

/**
 * Stops accepting connections, closes idle ones as they become idle, and gives requests under way
 * (an ingest waiting for its group commit) up to `drainMs` to be answered; then cuts what is left.
 * Live streams are ended first (`LiveHub.close`), so open dashboards do not hold it up.
 */
export async function closeGracefully(server: Server, drainMs = DRAIN_MS): Promise<void> {
  let done = false;
  const closed = new Promise<void>((resolve) => server.close(() => resolve())).then(() => {
    done = true;
  });
  for (const until = Date.now() + drainMs; !done && Date.now() < until; ) {
    server.closeIdleConnections();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  server.closeAllConnections();
  await closed;
}
