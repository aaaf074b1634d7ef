import { afterAll } from 'vitest';
import { type Child, stopAll } from './processes.js';
import { type InProcessServer, removeDir, startTestServer, tempDir } from './server.js';

/**
 * A test file's scratch dir, the processes it starts (push them on `children`) and its in-process server: all
 * stopped and removed after its tests, whether they passed or not.
 */
export function testBed(prefix: string): {
  dir: string;
  children: Child[];
  startServer(opts?: { tickMs?: number }): Promise<InProcessServer>;
} {
  const dir = tempDir(prefix);
  const children: Child[] = [];
  let server: InProcessServer | undefined;
  afterAll(async () => {
    await stopAll(children);
    await server?.close();
    removeDir(dir);
  });
  return {
    dir,
    children,
    startServer: async (opts) => {
      server = await startTestServer(dir, opts);
      return server;
    },
  };
}
