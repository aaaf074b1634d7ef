// A fixture for town-handles.test.ts: two ways to keep a Town handle past the event-loop turn.
import type { FileTownDirectory as TownDirectory } from '../town-directory.js';

export function live(towns: TownDirectory, changes: AsyncIterable<void>) {
  const town = towns.get('t');
  return (async function* () {
    for await (const _ of changes) {
      yield town.throughput();
    }
  })();
}
export async function later(towns: TownDirectory, wait: Promise<void>) {
  const t = towns.get('t');
  await wait;
  return t.throughput();
}
export async function fine(towns: TownDirectory, wait: Promise<void>) {
  await wait;
  return towns.get('t').throughput();
}
