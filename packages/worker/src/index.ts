import { AppError } from '@gasgauge/core';
import { holdingBodies, Misconfigured, workerApp } from './app.js';
import { withKeepAlive } from './keep-alive.js';
import { pageWithoutApp } from './web-assets.js';

export { ControlDO } from './control-do.js';
export { TownDO } from './town-do.js';

/** The Worker: static assets (the web UI) are answered before it runs; the API's paths come here. */
export default {
  async fetch(request, env, ctx): Promise<Response> {
    let app: Awaited<ReturnType<typeof workerApp>>;
    try {
      app = await workerApp(env);
    } catch (err) {
      const page = pageWithoutApp(request, env.ASSETS);
      if (page) return page;
      if (err instanceof Misconfigured)
        return Response.json({ error: { code: 'internal', message: err.message } }, { status: 503 });
      // The control object failed the admin's bootstrap for the platform's reasons (platformFailure): retry.
      if (err instanceof AppError && err.code === 'unavailable')
        return Response.json(
          { error: { code: err.code, message: err.message } },
          { status: 503, headers: { 'Retry-After': String(err.retryAfterSeconds) } },
        );
      throw err;
    }
    // A live stream (SSE) gets keep-alives: a write is how the isolate learns its viewer left (keep-alive.ts).
    return holdingBodies(request, async () => withKeepAlive(await app.fetch(request, env, ctx)));
  },
} satisfies ExportedHandler<Env>;
