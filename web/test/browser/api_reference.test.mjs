// The API reference page: the document the server serves, read in the web app, for signed-out
// visitors and members alike, with every operation of the document on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser();

test('the API reference shows every operation of the document, signed out and signed in', async () => {
  const document = await (await fetch(`${env.server.url}/api/v1/openapi.json`)).json();
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    ['get', 'put', 'post', 'patch', 'delete'].filter((m) => /** @type {any} */ (item)[m]).map((m) => `${m.toUpperCase()} ${path}`));
  const family = await apiFamily(env.server);
  const visitor = await openPage(env.browser, 'visitor', { width: 1280, height: 900 });
  const dad = await openPage(env.browser, 'parent');
  await withReport('api reference', env.server, [visitor, dad], async () => {
    const p = visitor.page;
    await p.goto(`${env.server.url}/login`);
    await p.getByRole('link', { name: 'API 문서' }).click();
    await p.getByRole('heading', { name: 'Poki API 문서', level: 1 }).waitFor();
    await p.locator('[data-operation]').first().waitFor();
    const shown = await p.locator('[data-operation]').evaluateAll((els) => els.map((e) => e.getAttribute('data-operation')));
    assert.deepEqual([...shown].sort(), [...operations].sort());
    // A schema's name links to its members.
    const createMission = p.locator('[data-operation="POST /api/v1/missions"]');
    await createMission.getByRole('table', { name: '요청 본문' }).getByText('child_id').waitFor();
    await createMission.getByRole('link', { name: 'Mission', exact: true }).first().click();
    await p.locator('#schema-Mission').getByRole('table').getByText('rejection_reason').waitFor();
    // The event stream's events, the WebSocket's messages and every problem code are there.
    await p.locator('#events').getByText('mission.assigned', { exact: true }).waitFor();
    await p.locator('#socket').getByText('call.invite', { exact: true }).waitFor();
    await p.locator('#codes').getByText('too_many_reservations', { exact: true }).waitFor();

    await logIn(dad.page, env.server, family.parent);
    await dad.page.getByRole('link', { name: 'API 문서' }).click();
    await dad.page.locator('[data-operation="GET /api/v1/me"]').waitFor();
    assert.equal(await dad.page.getByRole('link', { name: '홈', exact: true }).count(), 1, 'still signed in, with the menu');
  });
  await visitor.context.close();
  await dad.context.close();
});
