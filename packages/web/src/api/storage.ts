/** What a town's data takes against its storage quota; it comes with the throughput (metrics.throughput). */
import { trpc } from './trpc.js';

export async function fetchStorage(townId: string, signal: AbortSignal) {
  return (await trpc.metrics.throughput.query({ townId }, { signal })).storage;
}
