// axe-core over every main screen, for a parent and for a child, phone-sized: no serious or
// critical violation (labels, names, contrast, landmarks, keyboard focus order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const env = sharedServerAndBrowser();

/**
 * The serious and critical violations on the page as it is now.
 * @param {import('playwright-core').Page} page
 */
async function violations(page) {
  // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses injected scripts.
  await page.evaluate(axeSource);
  /** @type {{ id: string, impact: string, help: string, nodes: { target: string[] }[] }[]} */
  const found = await page.evaluate(async () => {
    const result = await /** @type {any} */ (window).axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('every main screen passes an automated accessibility scan', async () => {
  const family = await apiFamily(env.server);
  const anon = await openPage(env.browser, 'signed-out');
  const dad = await openPage(env.browser, 'parent');
  const kid = await openPage(env.browser, 'child');
  await withReport('accessibility', env.server, [anon, dad, kid], async () => {
    /** @type {string[]} */
    const problems = [];
    /** @param {import('playwright-core').Page} page @param {string} name */
    const scan = async (page, name) => {
      await page.waitForLoadState('networkidle');
      for (const v of await violations(page)) problems.push(`${name}: ${v}`);
    };
    for (const path of ['/login', '/signup', '/join']) {
      await anon.page.goto(`${env.server.url}${path}`);
      await anon.page.locator('form').waitFor();
      await scan(anon.page, path);
    }
    await anon.page.goto(`${env.server.url}/api-reference`);
    await anon.page.locator('[data-operation]').first().waitFor();
    await scan(anon.page, '/api-reference');
    await logIn(dad.page, env.server, family.parent);
    await logIn(kid.page, env.server, family.child);
    await dad.page.getByRole('link', { name: '미션' }).click();
    await dad.page.getByLabel('할 일').fill('양치하기');
    await dad.page.getByRole('button', { name: '미션 주기' }).click();
    await kid.page.locator('li.mission', { hasText: '양치하기' }).waitFor();
    for (const [page, who] of [[dad.page, 'parent'], [kid.page, 'child']]) {
      const p = /** @type {import('playwright-core').Page} */ (page);
      for (const [link, name] of [['홈', 'home'], ['미션', 'missions'], ['달력', 'calendar'], ['선물', 'gifts'], ['가족', 'family'], ['채팅', 'chat']]) {
        await p.getByRole('link', { name: link, exact: true }).click();
        await p.locator('main h1').waitFor();
        await scan(p, `${who} ${name}`);
      }
      await p.getByRole('link', { name: /가족 대화방/ }).click();
      await p.getByLabel('메시지 쓰기').waitFor();
      await scan(p, `${who} chat room`);
      await p.getByRole('link', { name: /알림/ }).click();
      await p.getByRole('heading', { name: '알림' }).waitFor();
      await scan(p, `${who} notifications`);
    }
    await dad.page.getByRole('link', { name: '홈', exact: true }).click();
    await dad.page.getByRole('link', { name: /도윤의 포도판 자세히/ }).click();
    await dad.page.getByRole('heading', { name: '도윤의 포도판' }).waitFor();
    await scan(dad.page, 'parent child page');
    await kid.page.getByRole('link', { name: '위시리스트' }).click();
    await kid.page.getByRole('heading', { name: '도윤의 포도판' }).waitFor();
    await scan(kid.page, 'child wishlist');
    await dad.page.getByRole('link', { name: '가족', exact: true }).click();
    await dad.page.getByRole('button', { name: '아이 초대 코드 만들기' }).click();
    await dad.page.getByTestId('link-code').waitFor();
    await scan(dad.page, 'parent family with a link code');
    assert.deepEqual(problems, []);
  });
  for (const p of [anon, dad, kid]) await p.context.close();
});
