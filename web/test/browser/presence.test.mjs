// Who is online, on the family screen: a member's dot turns green while any of their pages
// is open and grey again shortly after the last one closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser({ presence: { heartbeat_s: 1, offline_grace_ms: 300 } });

test('the family screen shows who is online, live', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent');
  const kid = await openPage(env.browser, 'child');
  await withReport('presence', env.server, [dad, kid], async () => {
    await logIn(dad.page, env.server, family.parent);
    await dad.page.getByRole('link', { name: '가족', exact: true }).click();
    const kidRow = dad.page.locator('ul.members li', { hasText: family.child.name });
    const kidDot = kidRow.locator('.presence');
    await kidDot.waitFor();
    assert.equal(await kidDot.getAttribute('data-online'), 'false');
    assert.equal(await kidDot.getAttribute('aria-label'), '오프라인');
    // The parent sees themself online.
    const dadDot = dad.page.locator('ul.members li', { hasText: family.parent.name }).locator('.presence');
    await dad.page.waitForFunction((el) => el?.getAttribute('data-online') === 'true', await dadDot.elementHandle());

    await logIn(kid.page, env.server, family.child);
    await dad.page.waitForFunction((el) => el?.getAttribute('data-online') === 'true', await kidDot.elementHandle());
    assert.equal(await kidDot.getAttribute('aria-label'), '온라인');

    await kid.page.close();
    await dad.page.waitForFunction((el) => el?.getAttribute('data-online') === 'false', await kidDot.elementHandle(),
      { timeout: 10000 });
    assert.match(await kidDot.getAttribute('aria-label') ?? '', /^오프라인, 마지막 접속 /);
  });
});
