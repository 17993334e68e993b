// The calendar screen: a parent plans a daily mission a few seconds ahead and it reaches the
// child's open missions page live when its time comes; a family event appears on the child's
// open calendar live; the feed URL the screen makes serves the family's iCalendar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiFamily, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const env = sharedServerAndBrowser();

/**
 * Seoul's date and time of day `seconds` from now (the family's zone by default).
 * @param {number} seconds
 */
function seoulIn(seconds) {
  const at = new Date(Date.now() + seconds * 1000);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(at).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

test('a mission planned on the calendar appears on the child\'s page when its time comes', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport('calendar', env.server, [dad, kid], async () => {
    const p = dad.page;
    const c = kid.page;
    await logIn(p, env.server, family.parent);
    await logIn(c, env.server, family.child);
    await c.getByRole('link', { name: '미션' }).click();
    await c.locator('li.empty').waitFor();

    await p.getByRole('link', { name: '달력' }).click();
    const plan = p.getByRole('form', { name: '미션 예약하기' });
    await plan.getByLabel('할 일').fill('물 한 컵 마시기');
    await plan.getByLabel('포도알').fill('2');
    await plan.getByLabel('반복').selectOption('day');
    const when = seoulIn(12);
    await plan.getByLabel('날짜', { exact: true }).fill(when.day);
    await plan.getByLabel('시각').fill(when.time);
    await plan.getByRole('button', { name: '예약' }).click();
    await plan.getByText('예약했어요').waitFor();
    // Tomorrow's occurrence is on the calendar already (today's becomes a mission).
    await p.locator('.calendar-grid .chip', { hasText: '물 한 컵 마시기' }).first().waitFor();

    // Its time comes: the child's open missions page shows it without a reload.
    await c.locator('li.mission', { hasText: '물 한 컵 마시기' }).waitFor({ timeout: 30000 });

    // A family event reaches the child's open calendar live.
    await c.getByRole('link', { name: '달력' }).click();
    await c.locator('.calendar-grid').waitFor();
    const event = p.getByRole('form', { name: '가족 일정 추가' });
    await event.getByLabel('일정 이름').fill('가족 소풍');
    await event.getByLabel('하루 종일').check();
    await event.getByRole('button', { name: '추가' }).click();
    await event.getByText('추가했어요').waitFor();
    await c.locator('.calendar-grid .chip', { hasText: '가족 소풍' }).first().waitFor();
    await c.locator(`.calendar-grid [data-day="${seoulIn(0).day}"]`).click();
    await c.locator('.day-items .item', { hasText: '가족 소풍' }).waitFor();

    // The feed URL serves the family's calendar.
    await p.getByRole('button', { name: '구독 주소 만들기' }).click();
    const url = await p.getByLabel('구독 주소').inputValue();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/ical\/[A-Za-z0-9_-]+\.ics$/);
    const feed = await fetch(url);
    assert.equal(feed.status, 200);
    const text = await feed.text();
    assert.match(text, /^BEGIN:VCALENDAR\r\n/);
    assert.match(text, /SUMMARY:가족 소풍/);
    assert.match(text, /SUMMARY:물 한 컵 마시기/);
    assert.match(text, /TZID:Asia\/Seoul/);

    // A parent moves the family to another zone; the feed follows.
    await p.getByRole('link', { name: '가족', exact: true }).click();
    await p.getByLabel('시간대').selectOption('America/New_York');
    await p.locator('form', { has: p.getByLabel('시간대') }).getByRole('button', { name: '저장' }).click();
    await p.locator('form', { has: p.getByLabel('시간대') }).getByText('저장했어요').waitFor();
    assert.match(await (await fetch(url)).text(), /TZID:America\/New_York/);
  });
  await dad.context.close();
  await kid.context.close();
});
