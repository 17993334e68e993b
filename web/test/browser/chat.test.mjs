// Chat between two pages, live both ways: Korean and emoji, read marks, unread badges, and
// text that looks like HTML shown as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser();

test('the family room carries messages live both ways, as text', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('chat', env.server, [dad, kid], async () => {
    const p = dad.page;
    const c = kid.page;
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);

    // The parent writes first, while the child is on the home screen: a badge appears.
    await p.getByRole('link', { name: '채팅' }).click();
    await p.getByRole('link', { name: /가족 대화방/ }).click();
    await p.getByLabel('메시지 쓰기').fill('오늘 저녁은 김치찌개 🍲');
    await p.getByRole('button', { name: '보내기' }).click();
    await c.getByTestId('chat-unread').filter({ hasText: '1' }).waitFor();

    // The child opens the room: the message is there, and the parent's page shows it read.
    await c.getByRole('link', { name: /채팅/ }).click();
    const room = c.locator('a.room', { hasText: '가족 대화방' });
    await room.getByTestId('unread').filter({ hasText: '1' }).waitFor();
    await room.click();
    await c.locator('li.message.theirs', { hasText: '오늘 저녁은 김치찌개 🍲' }).waitFor();
    await p.locator('li.message.mine', { hasText: '김치찌개' }).getByTestId('read-mark').waitFor({ state: 'visible' });

    // The child answers with something that looks like HTML; both pages show it as text.
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> 좋아요! 😋';
    await c.getByLabel('메시지 쓰기').fill(hostile);
    await c.getByRole('button', { name: '보내기' }).click();
    const received = p.locator('li.message.theirs', { hasText: '좋아요! 😋' });
    await received.waitFor();
    assert.equal(await received.locator('.text').textContent(), hostile);
    assert.equal(await received.locator('img, script').count(), 0);
    assert.equal(await p.evaluate(() => /** @type {any} */ (window).__pwned), undefined);
    assert.equal(await c.evaluate(() => /** @type {any} */ (window).__pwned), undefined);

    // The child deletes their message; the parent's page shows the tombstone live.
    await c.locator('li.message.mine', { hasText: '좋아요!' }).getByRole('button', { name: '내 메시지 지우기' }).click();
    await p.locator('li.message.theirs.deleted', { hasText: '지운 메시지예요' }).waitFor();
  });
  await dad.context.close();
  await kid.context.close();
});
