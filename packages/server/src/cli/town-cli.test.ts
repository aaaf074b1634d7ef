import { describe, expect, it } from 'vitest';
import { gasgauge } from '../testing/cli.js';
import { tempDir } from '../testing/temp.js';

/** `gasgauge town list`: the operator's view of every town, as `key list` is of a town's keys. */
describe('gasgauge town list', () => {
  it('lists every town with its owner, filters by --owner or --org, and says when there are none', async () => {
    const data = tempDir('gg-town-list-');
    const run = async (...args: string[]) => {
      const r = await gasgauge(...args, '--data', data);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    await run('user', 'add', 'alice');
    expect(await run('town', 'list')).toBe('No towns.\n');
    expect(JSON.parse(await run('town', 'list', '--json'))).toEqual({ towns: [] });

    await run('user', 'add', 'bob');
    await run('org', 'create', 'acme', '--owner', 'bob');
    const ids: string[] = [];
    for (const args of [
      ['Gas Town', '--owner', 'alice'],
      ['Second', '--owner', 'bob'],
      ['Works', '--org', 'acme'],
      ['Third', '--owner', 'alice'],
    ]) {
      ids.push(JSON.parse(await run('town', 'create', ...(args as string[]), '--json')).town.id);
    }
    const [gas, second, works, third] = ids as [string, string, string, string];

    const lines = (await run('town', 'list')).trimEnd().split('\n');
    expect(lines.map((l) => l.split('\t').slice(0, 3))).toEqual([
      [gas, 'Gas Town', 'owned by user alice'],
      [second, 'Second', 'owned by user bob'],
      [works, 'Works', 'owned by organisation acme'],
      [third, 'Third', 'owned by user alice'],
    ]);
    for (const l of lines) expect(l).toMatch(/\tcreated \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const json = JSON.parse(await run('town', 'list', '--json'));
    expect(json.towns.map((t: { id: string; owner: object }) => [t.id, t.owner])).toEqual([
      [gas, { kind: 'user', name: 'alice' }],
      [second, { kind: 'user', name: 'bob' }],
      [works, { kind: 'org', name: 'acme' }],
      [third, { kind: 'user', name: 'alice' }],
    ]);
    expect(json.towns[2]).toMatchObject({ name: 'Works', ownerUserId: null, ownerOrgId: expect.any(String) });

    // bob's personal towns are not his organisation's.
    expect((await run('town', 'list', '--owner', 'bob')).split('\t')[0]).toBe(second);
    expect((await run('town', 'list', '--org', 'acme')).split('\t')[0]).toBe(works);

    const both = await gasgauge('town', 'list', '--owner', 'bob', '--org', 'acme', '--data', data);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give at most one of --owner USER and --org ORG');
    const nobody = await gasgauge('town', 'list', '--owner', 'carol', '--data', data, '--json');
    expect(nobody.code).toBe(1);
    expect(JSON.parse(nobody.stdout)).toEqual({ error: { code: 'not_found', message: 'no user named "carol"', path: 'owner' } });
  }, 60_000);
});
