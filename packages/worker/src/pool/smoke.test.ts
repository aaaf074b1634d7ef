import { env } from 'cloudflare:workers';
import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('runs a Durable Object with SQL storage in workerd', async () => {
  const stub = env.TOWN.get(env.TOWN.idFromName('a'));
  expect(await stub.hello()).toBe(1);
  expect(await stub.hello()).toBe(2);
  expect(await (await SELF.fetch('http://x/')).text()).toBe('ok');
});
