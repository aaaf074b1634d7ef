import { DurableObject } from 'cloudflare:workers';

export class TownDO extends DurableObject {
  hello(): number {
    this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS t (a INTEGER)');
    this.ctx.storage.sql.exec('INSERT INTO t VALUES (1)');
    return this.ctx.storage.sql.exec('SELECT count(*) AS n FROM t').one().n as number;
  }
}
export default {
  async fetch(): Promise<Response> {
    return new Response('ok');
  },
};
