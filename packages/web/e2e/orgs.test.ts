import { Control } from '@gasgauge/core';
import { DataDir, openSqlite } from '@gasgauge/server';
import { startTestServer, type TestServer } from '@gasgauge/server/testing/server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from './bench-page.js';
import { chromiumAvailable, type OpenedPage, openPage } from './browser.js';
import { ensureWebBuilt } from './build.js';
import { screenshot } from './helpers.js';

/*
 * The organisations page end to end, in one browser that signs in as each user in turn: an owner creates
 * an organisation and invites by user name (answered alike for a name that is no user), the invitee
 * accepts on the same page, the owner changes their role, and the invitee leaves. Every step goes
 * through the real server's orgs.* procedures; the test reads the outcome back through the API too.
 */
const HAS_CHROMIUM = chromiumAvailable();

describe.skipIf(!HAS_CHROMIUM && !process.env.CI)('organisations page in Chromium', () => {
  let server: TestServer;
  let bobToken: string;
  let browser: OpenedPage;
  let page: Page;
  const consoleErrors: string[] = [];

  /** The organisation's members as the API answers its owner: `name:role`. */
  const members = async (organizationId: string): Promise<string[]> => {
    const input = encodeURIComponent(JSON.stringify({ organizationId }));
    const res = await fetch(`${server.url}/trpc/orgs.members?input=${input}`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
    });
    const body = (await res.json()) as { result: { data: { members: { userName: string; role: string }[] } } };
    return body.result.data.members.map((m) => `${m.userName}:${m.role}`);
  };

  beforeAll(async () => {
    if (!HAS_CHROMIUM) throw new Error('/usr/bin/chromium is missing: install it with apt-get install -y chromium');
    ensureWebBuilt();
    server = await startTestServer();
    bobToken = (await server.addUser('bob')).token;
    browser = await openPage({ timeout: 8000, watch: { consoleErrors } });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const openAs = async (token: string) => {
    await signIn(page, server.url, token);
    await page.goto(`${server.url}/orgs`);
  };

  it('creates an organisation and a town it owns, invites by name, and the invitee accepts, changes role and leaves', async () => {
    await openAs(server.adminToken);
    await page.getByRole('heading', { name: 'No organisations yet' }).waitFor();
    await page.getByLabel('New organisation name').fill('Crew');
    await page.getByRole('button', { name: 'Create organisation' }).click();
    const card = page.getByRole('region', { name: 'Crew', exact: true });
    await card.locator('tr[data-member="admin"]').waitFor();
    const orgId = (await card.getAttribute('data-org')) as string;
    expect(await members(orgId)).toEqual(['admin:owner']);

    // The towns page now offers the organisation as a new town's owner.
    await page.goto(`${server.url}/`);
    await page.getByLabel('New town name').fill('Crew Town');
    await page.getByLabel('Owner of the new town').selectOption({ label: 'Crew' });
    await Promise.all([page.waitForURL(/\/towns\/town_/), page.getByRole('button', { name: 'Create town' }).click()]);
    const townId = new URL(page.url()).pathname.split('/')[2];
    const towns = (await (
      await fetch(`${server.url}/trpc/towns.list?input=${encodeURIComponent(JSON.stringify({ limit: 100 }))}`, {
        headers: { authorization: `Bearer ${server.adminToken}` },
      })
    ).json()) as { result: { data: { id: string; ownerOrgId: string | null }[] } };
    expect(towns.result.data.find((t) => t.id === townId)?.ownerOrgId).toBe(orgId);
    await page.goto(`${server.url}/orgs`);

    // An invitation, to a user and to a name that is no user: the same answer, and no member yet.
    const invite = card.getByRole('form', { name: 'Invite someone to Crew' });
    const inviteAs = async (name: string) => {
      await invite.getByLabel('Invite by user name').fill(name);
      await invite.getByLabel('Role').selectOption('admin');
      await invite.getByRole('button', { name: 'Invite' }).click();
      const status = invite.getByRole('status');
      await status.filter({ hasText: name }).waitFor();
      return (await status.textContent())?.replace(name, 'NAME');
    };
    const toBob = await inviteAs('bob');
    expect(toBob).toBe('Invited NAME as admin. They join when they accept; a name that is no user here receives nothing.');
    expect(await inviteAs('nobody-here')).toBe(toBob);
    expect(await members(orgId)).toEqual(['admin:owner']);

    // Bob sees the invitation and accepts it.
    await openAs(bobToken);
    const invitations = page.getByRole('region', { name: 'Invitations' });
    await invitations.getByText('invites you as admin').waitFor();
    expect(await invitations.locator('li').count()).toBe(1);
    await invitations.getByRole('button', { name: 'Accept' }).click();
    const bobCard = page.getByRole('region', { name: 'Crew', exact: true });
    await bobCard.locator('tr[data-member="bob"]').waitFor();
    await page.getByRole('status').filter({ hasText: 'You joined Crew as admin.' }).waitFor();
    expect(await page.getByRole('region', { name: 'Invitations' }).count()).toBe(0);
    expect(await members(orgId)).toEqual(['admin:owner', 'bob:admin']);
    // An admin may not touch an owner: no role menu and no Remove on the owner's row; Leave on their own.
    expect(await bobCard.getByLabel('Role of admin').count()).toBe(0);
    expect(await bobCard.locator('tr[data-member="admin"] button').count()).toBe(0);
    expect(await bobCard.locator('tr[data-member="bob"]').getByRole('button', { name: 'Leave' }).count()).toBe(1);
    // Every cell of a row is a table cell of the row's height (a flex actions cell broke the row's border).
    const cells = await bobCard
      .locator('tr[data-member="bob"] td')
      .evaluateAll((tds) => tds.map((c) => `${getComputedStyle(c).display} ${Math.round(c.getBoundingClientRect().bottom)}`));
    expect(new Set(cells).size).toBe(1);
    // An admin invites, but not as owner.
    const bobRoles = await bobCard.getByRole('form').getByLabel('Role').locator('option').allTextContents();
    expect(bobRoles).toEqual(['admin', 'member', 'billing manager']);

    // The owner makes Bob a plain member.
    await openAs(server.adminToken);
    await card.getByLabel('Role of bob').selectOption('member');
    await card.getByRole('status').filter({ hasText: 'bob is now member.' }).waitFor();
    expect(await members(orgId)).toEqual(['admin:owner', 'bob:member']);

    // Bob leaves, with a second click to confirm.
    await openAs(bobToken);
    await bobCard.locator('tr[data-member="bob"]').waitFor();
    expect(await bobCard.getByRole('form').count()).toBe(0); // a member invites nobody
    await bobCard.getByRole('button', { name: 'Leave' }).click();
    await bobCard.getByRole('button', { name: 'Yes, leave Crew' }).click();
    await page.getByRole('heading', { name: 'No organisations yet' }).waitFor();
    expect(await members(orgId)).toEqual(['admin:owner']);

    await openAs(server.adminToken);
    await card.locator('tr[data-member="admin"]').waitFor();
    await screenshot(page, 'orgs');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'orgs-phone');
    expect(consoleErrors).toEqual([]);
  });

  it('an organisation of 150 shows its first 100 members by name, and the rest on "Show more members"', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    const created = await fetch(`${server.url}/trpc/orgs.create`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Crowd' }),
    });
    const orgId = ((await created.json()) as { result: { data: { id: string } } }).result.data.id;
    const sql = openSqlite(new DataDir(server.dataDir).controlFile);
    try {
      const control = new Control(sql, Date.now);
      sql.transaction(() => {
        for (let i = 0; i < 150; i++) {
          const user = control.createUser(`usr_crowd${i}`, `crowd${String(i).padStart(3, '0')}`);
          control.orgs.setMember(orgId, user.id, 'member');
        }
      });
    } finally {
      sql.close();
    }
    await openAs(server.adminToken);
    const card = page.getByRole('region', { name: 'Crowd', exact: true });
    const rows = card.locator('tbody tr');
    await card.locator('tr[data-member="crowd098"]').waitFor();
    expect(await rows.count()).toBe(100);
    expect(await card.locator('tr[data-member="crowd099"]').count()).toBe(0);
    await card.getByRole('button', { name: 'Show more members' }).click();
    await card.locator('tr[data-member="crowd149"]').waitFor();
    expect(await rows.count()).toBe(151);
    expect(await card.getByRole('button', { name: 'Show more members' }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  });
});
