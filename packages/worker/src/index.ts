import { CONTROL_NAME } from './control-do.js';

export { ControlDO } from './control-do.js';
export { TownDO } from './town-do.js';

/**
 * The Worker: static assets (the web UI) are answered before it runs; API paths come here and go to
 * the control object, which hosts the API (see control-do.ts).
 */
export default {
  fetch(request, env): Promise<Response> {
    return env.CONTROL.get(env.CONTROL.idFromName(CONTROL_NAME)).fetch(request);
  },
} satisfies ExportedHandler<Env>;
