import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_TRPC_BATCH } from './trpc.js';

describe('tRPC batches', () => {
  it('the web client never batches more calls than the server takes', () => {
    const client = readFileSync(new URL('../../web/src/api/trpc.ts', import.meta.url), 'utf8');
    const links = [...client.matchAll(/httpBatchLink\(\{[^}]*\}/g)].map(([link]) => link);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toContain(`maxItems: ${MAX_TRPC_BATCH}`);
  });
});
