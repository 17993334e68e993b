// The pages outlive the server and their access tokens: after a restart (and a dropped
// network) they reconnect by themselves and show what happened meanwhile, each once; past
// the access token's lifetime they keep working, renewed from the cookie.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const accessTtlSeconds = 60; // the shortest the server allows

const env = sharedServerAndBrowser({ auth: { jwt_secret: 'browser-test-signing-key-0123456789abcdef', scrypt_log2_n: 10, access_ttl_s: accessTtlSeconds } });

test('pages reconnect after a restart and a dropped network, and outlive the access token', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('restart', env.server, [dad, kid], async () => {
    const p = dad.page;
    const c = kid.page;
    const signedInAt = Date.now();
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);
    const childId = (await (await fetch(`${env.server.url}/api/v1/family`, {
      headers: { Authorization: `Bearer ${family.parentToken}` },
    })).json()).members.find((/** @type {any} */ m) => m.role === 'child').id;
    const assign = (/** @type {string} */ title) =>
      family.post('/missions', { child_id: childId, title, reward: 2 }, family.parentToken);
    const missions = (/** @type {string} */ title) => c.locator('li.mission', { hasText: title });

    await assign('이 닦기');
    await missions('이 닦기').waitFor();

    // The server goes away and comes back; a mission made right after shows up once.
    await env.server.stop('SIGKILL');
    await c.getByTestId('live-status').filter({ hasText: '다시 연결하는 중' }).waitFor();
    await env.server.start();
    await assign('신발 정리');
    await missions('신발 정리').waitFor({ timeout: 20000 });
    await c.waitForFunction(() => document.querySelector('[data-testid="live-status"]')?.getAttribute('data-connected') === 'true');

    // The child's network drops; what happens meanwhile arrives when it is back, once.
    await kid.context.setOffline(true);
    await assign('물 마시기');
    await assign('블록 정리');
    await kid.context.setOffline(false);
    await missions('블록 정리').waitFor({ timeout: 20000 });
    await missions('물 마시기').waitFor();
    for (const title of ['이 닦기', '신발 정리', '물 마시기', '블록 정리']) {
      assert.equal(await missions(title).count(), 1, title);
    }

    // Past the access token's lifetime both pages still work: the child submits, the parent
    // approves, each seeing the other live.
    const wait = signedInAt + (accessTtlSeconds + 2) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await missions('이 닦기').getByRole('button', { name: '다 했어요' }).click();
    await missions('이 닦기').getByRole('button', { name: '다 했어요' }).click();
    await p.getByRole('link', { name: '홈' }).click();
    const waiting = p.locator('li.mission', { hasText: '이 닦기' });
    await waiting.getByRole('button', { name: '"이 닦기" 확인' }).click();
    await c.waitForFunction(() => document.querySelector('[data-testid="board-counts"]')?.textContent?.includes('기다리는 포도 2알'));
    assert.doesNotMatch(await c.locator('body').innerText(), /문제가 생겼어요/);
  });
  await dad.context.close();
  await kid.context.close();
});
