// Fresh ideas from a model: the server is pointed at a small OpenAI-compatible fake this file
// starts on loopback. A parent asks for ideas (the model fills the pool), then asks for new
// ones written now: the model's text shows as it streams, then its ideas, one of which goes
// to the child in one tap and shows on the child's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

/** @type {{ stream: boolean, authorization: string | undefined }[]} */
const asked = [];

/** @param {string} prefix */
const ideasText = (prefix) => JSON.stringify({
  ideas: [1, 2, 3, 4, 5, 6].map((n) => ({
    title: `${prefix} ${n}`, description: `${prefix} ${n}번째 미션을 해 보아요.`, reward: 1 + (n % 3),
  })),
});

const model = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', async () => {
    const request = JSON.parse(body);
    asked.push({ stream: request.stream, authorization: req.headers.authorization });
    if (!request.stream) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: ideasText('공룡 그리기') } }],
        usage: { total_tokens: 100 } }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    const text = ideasText('화석 발굴 놀이');
    const pieces = 16;
    const size = Math.ceil(text.length / pieces);
    for (let at = 0; at < text.length; at += size) {
      await new Promise((resolve) => setTimeout(resolve, 120));
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text.slice(at, at + size) } }] })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  });
});

const extra = { ideas: {} };
// Registered before the shared server's hook: its configuration names the fake's port.
before(async () => {
  await new Promise((resolve) => model.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = /** @type {import('node:net').AddressInfo} */ (model.address());
  extra.ideas = {
    provider_url: `http://127.0.0.1:${address.port}/v1`, model: 'browser-test-model',
    api_key: 'sk-browser-test-key', request_timeout_ms: 10000, stream_idle_timeout_ms: 3000,
  };
});
const env = sharedServerAndBrowser(extra);
after(() => { model.close(); });

test('a parent streams fresh ideas, watches them being written, and gives one', async () => {
  const family = await apiFamily(env.server);
  const mom = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('ideas-stream', env.server, [mom, kid], async () => {
    const p = mom.page;
    const c = kid.page;
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);
    await c.getByRole('link', { name: '미션' }).click();
    await c.locator('li.empty').waitFor();

    await p.getByRole('link', { name: '미션' }).click();
    const panel = p.getByRole('form', { name: '미션 아이디어' });
    await panel.getByLabel('나이').fill('8');
    await panel.getByLabel('태그', { exact: true }).fill('공룡');
    await panel.getByRole('button', { name: '아이디어 보기' }).click();
    const ideas = panel.locator('li.idea');
    await ideas.nth(4).waitFor();
    assert.match((await ideas.nth(0).locator('.title').textContent()) ?? '', /^공룡 그리기 \d$/);

    await panel.getByRole('button', { name: '새로 만들어 보기' }).click();
    // The text shows while the model is still writing: some of it, not yet all.
    await p.waitForFunction(() => {
      const draft = document.querySelector('.idea-draft');
      return draft instanceof HTMLElement && !draft.hidden && (draft.textContent ?? '').length > 10;
    });
    await panel.getByText('화석 발굴 놀이 6', { exact: true }).waitFor();
    assert.equal(await panel.locator('.idea-draft').isHidden(), true);
    assert.equal(await ideas.count(), 6);
    assert.deepEqual(asked.map((a) => a.stream), [false, true]);
    assert.ok(asked.every((a) => a.authorization === 'Bearer sk-browser-test-key'));

    const chosen = ideas.filter({ hasText: '화석 발굴 놀이 3' });
    await chosen.getByRole('button', { name: '"화석 발굴 놀이 3" 미션 주기' }).click();
    await chosen.getByText('"화석 발굴 놀이 3" 미션을 줬어요').waitFor();
    await c.locator('li.mission', { hasText: '화석 발굴 놀이 3' }).waitFor({ timeout: 15000 });
  });
});
