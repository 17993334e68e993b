// A whole family in two browser contexts: sign up, invite, join, a mission from assignment
// to approval, the grapes stuck on, the board redeemed; every change arrives live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser({ missions: { max_reward: 40 } });

const unique = () => Math.random().toString(36).slice(2, 10);

test('a parent and a child run a mission and a board end to end, live', async () => {
  const mom = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('family-flow', env.server, [mom, kid], async () => {
    const p = mom.page;
    const c = kid.page;

    // The parent signs up and makes a child code.
    await p.goto(`${env.server.url}/missions`);
    await p.waitForURL('**/login');
    await p.getByRole('link', { name: '가족 만들기' }).click();
    await p.getByLabel('이름', { exact: true }).fill('엄마');
    await p.getByLabel('이메일', { exact: true }).fill(`mom-${unique()}@example.com`);
    await p.getByLabel('비밀번호', { exact: true }).fill('correct horse battery');
    await p.getByRole('button', { name: '가입하기' }).click();
    await p.waitForURL('**/family');
    await p.getByRole('button', { name: '아이 초대 코드 만들기' }).click();
    const code = (await p.getByTestId('link-code').textContent())?.trim() ?? '';
    assert.match(code, /^[A-Z0-9]{8}$/);
    await p.getByText(/후 만료/).waitFor();

    // The child joins in the other context; the parent's family list shows them live.
    await c.goto(`${env.server.url}/join?code=${code}`);
    await c.getByLabel('이름', { exact: true }).fill('하린');
    await c.getByLabel('아이디', { exact: true }).fill(`harin-${unique()}`);
    await c.getByLabel('비밀번호', { exact: true }).fill('grapes and more');
    await c.getByRole('button', { name: '들어가기' }).click();
    await c.getByRole('heading', { name: '나의 포도송이' }).waitFor();
    await p.locator('ul.members').getByText('하린').waitFor();

    // The parent assigns a mission worth the whole board; the child sees it without a reload.
    await p.getByRole('link', { name: '미션' }).click();
    const assign = p.getByRole('form', { name: '새 미션' });
    await assign.getByLabel('할 일', { exact: true }).fill('책 읽기 📚');
    await assign.getByLabel('포도알', { exact: true }).fill('31');
    await assign.getByLabel('태그', { exact: true }).fill('독서');
    await assign.getByRole('button', { name: '미션 주기' }).click();
    const task = c.locator('li.mission', { hasText: '책 읽기 📚' });
    await task.waitFor();
    await task.getByRole('button', { name: '다 했어요' }).click();
    await task.getByLabel('한마디', { exact: true }).fill('다 읽었어요!');
    await task.getByRole('button', { name: '다 했어요' }).click();

    // It arrives on the parent's list (filtered to "waiting") live; the parent approves.
    const waiting = p.locator('li.mission', { hasText: '책 읽기 📚' });
    await waiting.getByText('한마디: 다 읽었어요!').waitFor();
    await waiting.getByRole('button', { name: '"책 읽기 📚" 확인' }).click();
    await waiting.waitFor({ state: 'detached' });

    // The child's grapes arrive; they stick them all on and the board is full.
    const counts = c.getByTestId('board-counts');
    await c.waitForFunction(() => document.querySelector('[data-testid="board-counts"]')?.textContent?.includes('기다리는 포도 31알'));
    await c.getByRole('button', { name: '포도 한 알 붙이기' }).first().click();
    await c.waitForFunction(() => document.querySelector('[data-testid="board-counts"]')?.textContent?.startsWith('1 / 31'));
    await c.getByRole('button', { name: '모두 붙이기' }).click();
    await c.getByTestId('board-full').waitFor();
    assert.match((await counts.textContent()) ?? '', /^31 \/ 31/);
    assert.equal(await c.locator('svg.bunch circle.grape.on').count(), 31);

    // The parent redeems the full board from home; both pages show board no. 2.
    await p.getByRole('link', { name: '홈' }).click();
    await p.getByTestId('board-full').waitFor();
    await p.getByRole('button', { name: '선물 주기' }).click();
    await p.getByText('2번째 포도판').waitFor();
    await c.getByText('2번째 포도판').waitFor();
    assert.match((await counts.textContent()) ?? '', /^0 \/ 31/);

    // English is one tap away, and stays chosen across a reload.
    await c.getByRole('button', { name: 'English' }).click();
    await c.getByRole('link', { name: 'Missions' }).waitFor();
    await c.getByText('Board no. 2').waitFor();
    await c.reload();
    await c.getByRole('heading', { name: 'My grape bunch' }).waitFor();
    assert.equal(await c.evaluate(() => document.documentElement.lang), 'en');
  });
  await mom.context.close();
  await kid.context.close();
});

test('problems are told in the app\'s own words, from their codes', async () => {
  const anon = await openPage(env.browser, 'signed-out');
  await withReport('problem-words', env.server, [anon], async () => {
    const page = anon.page;
    const email = `taken-${unique()}@example.com`;
    const signUp = async (/** @type {string} */ password) => {
      await page.goto(`${env.server.url}/signup`);
      await page.getByLabel('이름', { exact: true }).fill('엄마');
      await page.getByLabel('이메일', { exact: true }).fill(email);
      await page.getByLabel('비밀번호', { exact: true }).fill(password);
      // The browser's own checks would stop a short password before the server sees it.
      await page.locator('form').evaluate((f) => f.setAttribute('novalidate', ''));
      await page.getByRole('button', { name: '가입하기' }).click();
    };
    await signUp('short');
    await page.getByText('입력한 내용을 확인해 주세요. 비밀번호: 8자 이상이어야 해요').waitFor();
    await signUp('correct horse battery');
    await page.waitForURL('**/family');
    await page.getByRole('button', { name: '로그아웃' }).click();
    await page.waitForURL('**/login');
    await signUp('correct horse battery');
    await page.getByText('이미 이 이메일로 가입한 계정이 있어요.').waitFor();
    assert.equal(await page.getByText('already exists').count(), 0, 'never the server\'s English');
  });
  await anon.context.close();
});
