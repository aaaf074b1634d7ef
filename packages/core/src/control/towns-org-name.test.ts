import { join } from 'node:path';
import { openSqlite } from '@gasgauge/server/sqlite';
import { tempDir } from '@gasgauge/server/testing';
import { describe, expect, it } from 'vitest';
import { townFor } from './access.js';
import { Control } from './control.js';

describe("a town's organisation name (ownerOrgName)", () => {
  let now = 1000;
  // A tick per write: towns come by creation.
  const control = new Control(openSqlite(join(tempDir('gg-towns-org-name-'), 'control.sqlite')), () => now++);
  const ada = control.createUser('u_ada', 'ada');
  control.createTown('t_mine', 'Gas Town', { userId: ada.id });
  const orgs = 5;
  for (let i = 0; i < orgs; i++) {
    control.orgs.create(`o_${i}`, `Org ${i}`, ada.id);
    control.createTown(`t_${i}`, 'Gas Town', { orgId: `o_${i}` });
  }

  it('comes with the town from town, townFor and townsOf (null for a personal town), paged as before', () => {
    expect(control.town('t_3')).toMatchObject({ id: 't_3', ownerOrgId: 'o_3', ownerOrgName: 'Org 3' });
    expect(control.town('t_mine')).toMatchObject({ ownerUserId: ada.id, ownerOrgId: null, ownerOrgName: null });
    expect(townFor(control, ada, 't_1').ownerOrgName).toBe('Org 1');
    const named = (towns: { id: string; ownerOrgName: string | null }[]) => towns.map((t) => [t.id, t.ownerOrgName]);
    expect(named(control.townsOf(ada.id))).toEqual([
      ['t_mine', null],
      ...Array.from({ length: orgs }, (_, i) => [`t_${i}`, `Org ${i}`]),
    ]);
    expect(named(control.townsOf(ada.id, { limit: 2, after: 't_0' }))).toEqual([
      ['t_1', 'Org 1'],
      ['t_2', 'Org 2'],
    ]);
  });
});
