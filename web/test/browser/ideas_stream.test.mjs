// Fresh ideas from a model: the server is pointed at the small OpenAI-compatible fake
// (test/support/fake_model.mjs) this file starts on loopback. A parent asks for ideas (the
// model fills the pool), then asks for new ones written now: the model's text shows as it streams, then its ideas, one of which goes
// to the child in one tap and shows on the child's page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PokiServer, launchBrowser, withIdeasPanel } from './support.mjs';
import { startFakeModel } from '../support/fake_model.mjs';

/** @type {Awaited<ReturnType<typeof startFakeModel>>} */
let model;
/** @type {{ server: PokiServer, browser: import('playwright-core').Browser }} */
const env = /** @type {any} */ ({});
// The server's configuration names the fake's port, so the fake starts first (one hook:
// node runs a file's top-level hooks without waiting for each other).
before(async () => {
  model = await startFakeModel();
  env.server = new PokiServer({
    ideas: {
      provider_url: model.url, model: 'browser-test-model',
      api_key: 'sk-browser-test-key', request_timeout_ms: 10000, stream_idle_timeout_ms: 3000,
    },
  });
  await env.server.start();
  env.browser = await launchBrowser();
});
after(async () => {
  await env.browser?.close();
  await env.server?.close();
  model?.close();
});

test('a parent streams fresh ideas, watches them being written, and gives one', async () => {
  await withIdeasPanel('ideas-stream', env, async ({ parent: p, child: c, panel }) => {
    await panel.getByLabel('나이').fill('8');
    // A tag of this run's own: Redis keeps pools, and a database reused between runs would
    // answer from an earlier run's.
    await panel.getByLabel('태그', { exact: true }).fill(`공룡 ${Date.now() % 1000000}`);
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
    assert.deepEqual(model.asked.map((a) => a.stream), [false, true]);
    assert.ok(model.asked.every((a) => a.authorization === 'Bearer sk-browser-test-key'));

    const chosen = ideas.filter({ hasText: '화석 발굴 놀이 3' });
    await chosen.getByRole('button', { name: '"화석 발굴 놀이 3" 미션 주기' }).click();
    await chosen.getByText('"화석 발굴 놀이 3" 미션을 줬어요').waitFor();
    await c.locator('li.mission', { hasText: '화석 발굴 놀이 3' }).waitFor({ timeout: 15000 });
  });
});
