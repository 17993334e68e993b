// The ideas panel: a parent picks a tag, sees five ideas of it, asks for others, and gives
// one to the child in one tap; the child's open missions page shows it live.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedServerAndBrowser, withIdeasPanel } from './support.mjs';

const env = sharedServerAndBrowser();

test('a parent gives a mission idea in one tap and it reaches the child\'s page', async () => {
  await withIdeasPanel('ideas', env, async ({ child: c, panel }) => {
    await panel.getByLabel('나이').fill('7');
    await panel.getByRole('group', { name: '자주 쓰는 태그' }).getByRole('button', { name: '독서' }).click();
    const ideas = panel.locator('li.idea');
    await ideas.nth(4).waitFor();
    assert.equal(await ideas.count(), 5);
    const first = await ideas.nth(0).getAttribute('data-idea');

    // Others on asking: over a few asks some other idea comes first.
    let other = first;
    for (let ask = 0; ask < 10 && other === first; ++ask) {
      // The answer replaces the list: wait for the shown ideas to go, then read the new ones.
      const shown = await ideas.nth(0).elementHandle();
      await panel.getByRole('button', { name: '다른 아이디어' }).click();
      await shown?.waitForElementState('hidden');
      await ideas.nth(4).waitFor();
      other = await ideas.nth(0).getAttribute('data-idea');
    }
    assert.notEqual(other, first);

    // A typed tag the catalog does not know still gets ideas, and says so.
    await panel.getByLabel('태그', { exact: true }).fill('우주 여행');
    await panel.getByRole('button', { name: '아이디어 보기' }).click();
    await panel.getByText('"우주 여행" 태그는 아직 몰라서').waitFor();

    const chosen = ideas.nth(2);
    const title = (await chosen.locator('.title').textContent()) ?? '';
    assert.ok(title.length > 0);
    await chosen.getByRole('button', { name: `"${title}" 미션 주기` }).click();
    await chosen.getByText(`"${title}" 미션을 줬어요`).waitFor();

    await c.locator('li.mission', { hasText: title }).waitFor({ timeout: 15000 });
  });
});
