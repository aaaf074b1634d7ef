import { Misconfigured, workerApp } from './app.js';

export { ControlDO } from './control-do.js';
export { TownDO } from './town-do.js';

/** The Worker: static assets (the web UI) are answered before it runs; the API's paths come here. */
export default {
  async fetch(request, env, ctx): Promise<Response> {
    try {
      return await (await workerApp(env)).fetch(request, env, ctx);
    } catch (err) {
      if (!(err instanceof Misconfigured)) throw err;
      return Response.json({ error: { code: 'internal', message: err.message } }, { status: 503 });
    }
  },
} satisfies ExportedHandler<Env>;
