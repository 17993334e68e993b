// What the family flow does not walk: editing, sending back and deleting missions, a
// one-to-one room, and a member removed while their page is open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser();

test('missions are edited, sent back and deleted; a removed child is signed out', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('missions-and-members', env.server, [dad, kid], async () => {
    const p = dad.page;
    const c = kid.page;
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);
    const mission = (/** @type {import('playwright-core').Page} */ page, /** @type {string} */ title) =>
      page.locator('li.mission', { hasText: title });

    await p.getByRole('link', { name: '미션' }).click();
    for (const title of ['방 청소', '화분에 물 주기']) {
      await p.getByLabel('할 일').fill(title);
      await p.getByRole('button', { name: '미션 주기' }).click();
      await mission(c, title).waitFor();
    }
    await p.getByRole('button', { name: '할 일', exact: true }).click();

    // Edited: the child's page shows the new title live.
    await mission(p, '방 청소').getByRole('button', { name: '고치기' }).click();
    await mission(p, '방 청소').getByLabel('할 일').fill('방 청소 (장난감 정리까지)');
    await mission(p, '방 청소').getByRole('button', { name: '저장' }).click();
    await mission(c, '장난감 정리까지').waitFor();

    // Deleted: gone from the child's page.
    await mission(p, '화분에 물 주기').getByRole('button', { name: '"화분에 물 주기" 지우기' }).click();
    await mission(c, '화분에 물 주기').waitFor({ state: 'detached' });

    // Handed in, sent back with a reason, and the child sees why.
    await mission(c, '장난감 정리까지').getByRole('button', { name: '다 했어요' }).click();
    await mission(c, '장난감 정리까지').getByRole('button', { name: '다 했어요' }).click();
    await p.getByRole('button', { name: '확인 대기', exact: true }).click();
    await mission(p, '장난감 정리까지').getByRole('button', { name: /다시 하기/ }).click();
    await mission(p, '장난감 정리까지').getByLabel('이유').fill('블록이 아직 바닥에 있어요');
    await mission(p, '장난감 정리까지').getByRole('button', { name: '다시 하기' }).click();
    await c.getByRole('link', { name: '미션' }).click();
    await c.getByRole('button', { name: '다시 하기', exact: true }).click();
    await mission(c, '장난감 정리까지').getByText('다시 해 볼 이유: 블록이 아직 바닥에 있어요').waitFor();

    // A one-to-one room from the parent's chat screen reaches only the child.
    await p.getByRole('link', { name: /채팅/ }).click();
    await p.getByRole('button', { name: '도윤와 대화하기' }).click();
    await p.getByLabel('메시지 쓰기').fill('우리 둘만 아는 비밀 🤫');
    await p.getByRole('button', { name: '보내기' }).click();
    await c.getByRole('link', { name: /채팅/ }).click();
    await c.locator('a.room', { hasText: '아빠' }).click();
    await c.locator('li.message.theirs', { hasText: '우리 둘만 아는 비밀 🤫' }).waitFor();

    // Removed from the family while the page is open: its socket is closed as the session
    // ended, and the page signs out by itself.
    await p.getByRole('link', { name: '가족', exact: true }).click();
    await p.getByRole('button', { name: '도윤 내보내기' }).click();
    await p.locator('ul.members').getByText('도윤').waitFor({ state: 'detached' });
    await c.waitForURL('**/login');
    assert.equal(await c.getByTestId('live-status').textContent(), '');
    assert.equal(await c.getByRole('heading', { name: '로그인' }).count(), 1);
  });
  await dad.context.close();
  await kid.context.close();
});
