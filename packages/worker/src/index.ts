export { ControlDO } from './control-do.js';
export { TownDO } from './town-do.js';

export default {
  async fetch(): Promise<Response> {
    return new Response('not yet', { status: 503 });
  },
} satisfies ExportedHandler<Env>;
