// Gift search in Korean, in English with a typo, with a filter and endless scrolling; the
// child wishes for a gift and a parent makes it the board's gift, seen live on both pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser();

test('a child finds a gift, wishes for it, and a parent makes it the board\'s gift', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('gifts', env.server, [dad, kid], async () => {
    const p = dad.page;
    const c = kid.page;
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);

    await c.getByRole('link', { name: '선물' }).click();
    const results = c.getByRole('list', { name: '검색 결과' });
    // Without a query the whole catalog pages in as the list scrolls.
    await results.locator('li.gift').nth(19).waitFor();
    await c.locator('li.gift').last().scrollIntoViewIfNeeded();
    await results.locator('li.gift').nth(20).waitFor();

    // Each step waits for its own search's answer: the list of the step before already
    // holds what the next step looks for, so waiting on the list alone passes too early.
    const searched = (/** @type {string} */ part) => c.waitForResponse((r) =>
      r.url().includes('/api/v1/gifts?') && r.url().includes(part) && !r.url().includes('cursor='));
    const search = c.getByLabel('선물 검색');
    let answer = searched('q=%EA%B3%B5%EB%A3%A1');
    await search.fill('공룡');
    await answer;
    await results.locator('li.gift', { hasText: '티라노사우루스 공룡 피규어' }).first().waitFor();
    answer = searched('q=dinosuar');
    await search.fill('dinosuar');
    await answer;
    await results.locator('li.gift', { hasText: '티라노사우루스' }).first().waitFor();
    answer = searched('category=blocks');
    await c.getByLabel('종류').selectOption('blocks');
    await answer;
    await results.locator('li.gift', { hasText: '옥스포드 블록 공룡 탐험대' }).first().waitFor();
    await c.waitForFunction(() => ![...document.querySelectorAll('li.gift')].some((li) => li.textContent?.includes('피규어')));
    await c.getByRole('button', { name: '옥스포드 블록 공룡 탐험대을(를) 위시리스트에 넣기', exact: true }).click();
    await c.getByText('위시리스트에 넣었어요').waitFor();

    // The parent picks it on the child's page; the child's home shows the gift.
    await p.getByRole('link', { name: /도윤의 포도판 자세히/ }).click();
    await p.getByRole('button', { name: '옥스포드 블록 공룡 탐험대을(를) 이번 선물로 정하기', exact: true }).click();
    await p.locator('li.wish', { hasText: '옥스포드 블록 공룡 탐험대' }).getByText('이번 선물').waitFor();
    await c.getByRole('link', { name: '홈' }).click();
    await c.getByText('선물: 옥스포드 블록 공룡 탐험대', { exact: true }).waitFor();

    // A parent's award shows in the history and on the child's board at once.
    await p.getByLabel('포도알 수').fill('3');
    await p.getByLabel('이유', { exact: true }).fill('동생을 도와줬어요');
    await p.getByRole('button', { name: '기록하기' }).click();
    await p.locator('ul.ledger li', { hasText: '동생을 도와줬어요' }).waitFor();
    await c.waitForFunction(() => document.querySelector('[data-testid="board-counts"]')?.textContent?.includes('기다리는 포도 3알'));
    assert.equal(await c.getByRole('button', { name: '포도 한 알 붙이기' }).count(), 3);
  });
  await dad.context.close();
  await kid.context.close();
});
