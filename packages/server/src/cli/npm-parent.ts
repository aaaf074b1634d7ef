/** How often a server or reporter started by npm checks that npm is still there. */
export const PARENT_CHECK_MS = 1_000;

/**
 * Calls `gone` once if this process was started by npm (`npx gasgauge serve`, `npm start`, `npx gasgauge report`) and the process
 * that started it exits. npm 11 passes a SIGTERM to the `sh -c` it runs the command in, which ends without
 * passing it on: the server went on running with no parent, holding its port and the data dir's lock. A
 * server not started by npm (a terminal, systemd, `nohup … &`) is never stopped by this: its parent may
 * rightly exit first. Returns a function that stops watching.
 */
export function onNpmParentGone(gone: (parent: number) => void, env: NodeJS.ProcessEnv = process.env): () => void {
  if (!startedByNpm(env)) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    gone(parent);
  }, PARENT_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `npx`/`npm exec`, or the `start` script (`npm start`, `npm run start`). Not any npm script: a server a test
 * starts under `npm test` inherits npm's variables too, and may outlive a parent on purpose. npm 11 names the
 * command as typed: `npm start` is `npm_command=start` and `npm run start` is `run` (`run-script` was npm's older
 * name); checked for `run-script` alone, `npm start` — the README's quick start — left its server running.
 */
function startedByNpm(env: NodeJS.ProcessEnv): boolean {
  if (env.npm_command === 'exec') return true;
  return ['start', 'run', 'run-script'].includes(env.npm_command ?? '') && env.npm_lifecycle_event === 'start';
}
