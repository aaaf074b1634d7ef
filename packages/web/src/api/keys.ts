/** A town's long-lived keys (towns.listKeys, createKey, revokeKey); types inferred from the router. */
import { trpc } from './trpc.js';

export type TownKey = Awaited<ReturnType<typeof trpc.towns.listKeys.query>>[number];
export type NewKey = Awaited<ReturnType<typeof trpc.towns.createKey.mutate>>;
export type KeyKind = NonNullable<Parameters<typeof trpc.towns.createKey.mutate>[0]['kind']>;

export function fetchKeys(townId: string, signal: AbortSignal): Promise<TownKey[]> {
  return trpc.towns.listKeys.query({ townId }, { signal });
}

export function createKey(townId: string, name: string, kind: KeyKind, agentId: string | undefined): Promise<NewKey> {
  return trpc.towns.createKey.mutate({ townId, name, kind, ...(agentId ? { agentId } : {}) });
}

export function revokeKey(townId: string, name: string) {
  return trpc.towns.revokeKey.mutate({ townId, name });
}
