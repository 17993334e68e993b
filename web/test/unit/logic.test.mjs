// The client's pure logic, under node's own test runner (no browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ko } from '../../src/i18n/ko.js';
import { en } from '../../src/i18n/en.js';
import { format, problemKey, fieldProblemKey } from '../../src/lib/i18n.js';
import { StreamCursor, reconnectDelay } from '../../src/lib/stream_cursor.js';
import { matchRoute, findRoute } from '../../src/lib/routes.js';
import { grapeLayout } from '../../src/lib/grape_layout.js';
import { countdown } from '../../src/lib/format.js';
import { renewalDelay, offersTo, otherParties } from '../../src/lib/call.js';

test('both catalogues have the same keys and the same placeholders', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(ko).sort());
  const placeholders = (/** @type {string} */ s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(ko)) {
    assert.deepEqual(placeholders(en[key]), placeholders(ko[key]), key);
  }
});

test('every key the code asks for is in the catalogue', () => {
  /** @param {string} dir @returns {string[]} */
  const sources = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []);
  const missing = [];
  for (const file of sources(new URL('../../src', import.meta.url).pathname)) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([a-z_.]+)'/g)) {
      if (!(m[1] in ko)) missing.push(`${m[1]} (${file})`);
    }
  }
  assert.deepEqual(missing, []);
});

test('placeholders are filled, unknown ones left visible', () => {
  assert.equal(format('{a} / {b}', { a: 1, b: 'x' }), '1 / x');
  assert.equal(format('{a} {zzz}', { a: 1 }), '1 {zzz}');
  assert.equal(format('{constructor}', {}), '{constructor}');
});

test('every generic problem code has its own text', () => {
  for (const code of ['bad_request', 'validation_failed', 'unauthorized', 'forbidden', 'not_found',
    'method_not_allowed', 'conflict', 'payload_too_large', 'header_too_large',
    'unsupported_media_type', 'too_many_requests', 'unavailable', 'internal']) {
    assert.equal(problemKey(code), `problem.${code}`);
  }
  assert.equal(problemKey('something_new'), 'problem.unknown');
  assert.equal(problemKey('email_taken', 'conflict'), 'problem.email_taken');
  assert.equal(problemKey('a_reason_from_a_newer_server', 'conflict'), 'problem.conflict');
  assert.equal(fieldProblemKey('too_long'), 'invalid.too_long');
  assert.equal(fieldProblemKey('something_new'), 'invalid.invalid');
  assert.equal(problemKey(undefined), 'problem.unknown');
});

test('the stream resumes after the last handled event and drops repeats', () => {
  const cursor = new StreamCursor();
  assert.equal(cursor.resumeQuery(), '', 'a first connection starts at the newest');
  cursor.standAt('7');
  assert.equal(cursor.accept('8'), true);
  assert.equal(cursor.accept('9'), true);
  assert.equal(cursor.accept('9'), false, 'a replay after reconnecting');
  assert.equal(cursor.accept('5'), false);
  assert.equal(cursor.accept('not a number'), false);
  assert.equal(cursor.resumeQuery(), '&since=9');
  cursor.standAt('4'); // a ready that stands behind what was handled never moves it back
  assert.equal(cursor.lastId, 9);
  cursor.standAt('20'); // a reset moves past everything
  assert.equal(cursor.accept('15'), false);
  assert.equal(cursor.accept('21'), true);
});

test('reconnect delays double with jitter, up to 15 s', () => {
  assert.equal(reconnectDelay(0, () => 0), 250);
  assert.equal(reconnectDelay(0, () => 1), 500);
  assert.equal(reconnectDelay(3, () => 1), 4000);
  assert.equal(reconnectDelay(50, () => 1), 15000);
  assert.ok(reconnectDelay(50, () => 0) >= 7500);
});

test('routes match by segment and decode parameters', () => {
  assert.deepEqual(matchRoute('/chat/:id', '/chat/12'), { id: '12' });
  assert.deepEqual(matchRoute('/chat/:id', '/chat/%ED%8F%AC'), { id: '포' });
  assert.equal(matchRoute('/chat/:id', '/chat'), null);
  assert.equal(matchRoute('/chat/:id', '/chat/%E0%A4%A'), null);
  assert.deepEqual(matchRoute('/', '/'), {});
  const table = [{ pattern: '/missions', value: 'list' }, { pattern: '/missions/:id', value: 'one' }];
  assert.equal(findRoute(table, '/missions/3')?.value, 'one');
  assert.equal(findRoute(table, '/nothing'), null);
});

test('a bunch has a place for every grape of its goal, none overlapping', () => {
  for (const goal of [5, 10, 31, 100]) {
    const points = grapeLayout(goal, 10);
    assert.equal(points.length, goal);
    for (let i = 0; i < points.length; i++) {
      for (let j = i + 1; j < points.length; j++) {
        const d = Math.hypot(points[i].x - points[j].x, points[i].y - points[j].y);
        assert.ok(d >= 19, `grapes ${i} and ${j} of ${goal} overlap`);
      }
    }
    // Rows never widen downwards: a bunch, not a pyramid.
    const rows = new Map();
    for (const p of points) rows.set(p.y, (rows.get(p.y) ?? 0) + 1);
    const widths = [...rows.values()];
    assert.deepEqual(widths, [...widths].sort((a, b) => b - a));
  }
});

test('countdowns read as minutes and seconds', () => {
  assert.equal(countdown(600), '10:00');
  assert.equal(countdown(61.9), '01:01');
  assert.equal(countdown(-3), '00:00');
});

test('gift searches send only what the form says', async () => {
  const { giftQuery } = await import('../../src/screens/gifts.js').catch(() => ({ giftQuery: null }));
  assert.ok(giftQuery, 'gifts.js imports without a DOM');
  assert.equal(giftQuery({ q: ' 공룡 ', category: '', sort: 'relevance' }, null), 'limit=20&q=%EA%B3%B5%EB%A3%A1');
  assert.equal(giftQuery({ q: '', max_price: '30000', sort: 'price_asc' }, 40), 'limit=20&max_price=30000&sort=price_asc&cursor=40');
});

test('TURN credentials are asked for again well before they end', () => {
  assert.equal(renewalDelay(3600), 2880000);
  assert.equal(renewalDelay(900), 720000);
  assert.equal(renewalDelay(5), 10000); // never a tight loop
});

test('of each pair in a family call exactly one side offers: the one who was in first', () => {
  // Mom (1) rang 2, 3 and 4: 2 answered first, then 3, while 4 still rings.
  const afterTwo = { caller_id: 1, media: 'video', parties: [
    { user_id: 1, state: 'joined' }, { user_id: 2, state: 'joined' }, { user_id: 3, state: 'ringing' }, { user_id: 4, state: 'ringing' }] };
  assert.equal(offersTo(afterTwo, 1, 2), true);
  assert.equal(offersTo(afterTwo, 2, 2), false); // not to oneself
  assert.equal(offersTo(afterTwo, 3, 2), false); // still rung: 2 offers to 3 once 3 is in
  const afterThree = { ...afterTwo, parties: afterTwo.parties.map((p) => (p.user_id === 3 ? { ...p, state: 'joined' } : p)) };
  assert.deepEqual([1, 2, 3, 4].filter((me) => offersTo(afterThree, me, 3)), [1, 2]);
  // A rejoin after a reload: everyone else in the call offers again.
  assert.deepEqual([1, 2, 3, 4].filter((me) => offersTo(afterThree, me, 1)), [2, 3]);
});

test('the call screen shows the others who are in or still rung', () => {
  const parties = [{ user_id: 1, state: 'joined' }, { user_id: 2, state: 'left' }, { user_id: 3, state: 'ringing' },
    { user_id: 4, state: 'declined' }, { user_id: 5, state: 'joined' }];
  assert.deepEqual(otherParties(parties, 1), [{ user: 3, state: 'ringing' }, { user: 5, state: 'joined' }]);
});

test('the calendar shows whole weeks from Monday, in the family zone', async () => {
  const { visibleDays, queryRange, byDay, daysOf, startTime, today, addDays, weekStart } =
    await import('../../src/lib/calendar_grid.js');
  const december = visibleDays('month', '2026-12-15');
  assert.equal(december[0], '2026-11-30');  // Monday
  assert.equal(december.at(-1), '2027-01-03');  // Sunday
  assert.equal(december.length % 7, 0);
  const february = visibleDays('month', '2027-02-10');  // 1st is a Monday, 28 days
  assert.equal(february[0], '2027-02-01');
  assert.equal(february.length, 28);
  assert.deepEqual(visibleDays('week', '2026-12-06'), ['2026-11-30', '2026-12-01', '2026-12-02',
    '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
  assert.equal(weekStart('2028-03-01'), '2028-02-28');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.deepEqual(queryRange(['2026-12-01', '2026-12-02']),
    { from: '2026-11-30T10:00:00.000Z', to: '2026-12-03T14:00:00.000Z' });

  // A mission due at 23:30 UTC is the next day in Seoul; an all-day event ending at midnight
  // covers its days only; a timed event past midnight covers both.
  const mission = { kind: 'mission', id: 1, title: 'm', start: '2026-12-01T23:30:00.000Z', all_day: false };
  assert.deepEqual(daysOf(/** @type {any} */ (mission), 'Asia/Seoul'), ['2026-12-02']);
  assert.deepEqual(daysOf(/** @type {any} */ (mission), 'America/New_York'), ['2026-12-01']);
  assert.equal(startTime(/** @type {any} */ (mission), 'Asia/Seoul'), '08:30');
  const trip = { kind: 'event', id: 2, title: 't', start: 'x', all_day: true,
    local_start: '2026-12-24T00:00:00', local_end: '2026-12-27T00:00:00' };
  assert.deepEqual(daysOf(/** @type {any} */ (trip), 'Asia/Seoul'), ['2026-12-24', '2026-12-25', '2026-12-26']);
  assert.equal(startTime(/** @type {any} */ (trip), 'Asia/Seoul'), null);
  const late = { kind: 'event', id: 3, title: 'l', start: 'x', all_day: false,
    local_start: '2026-12-31T22:00:00', local_end: '2027-01-01T01:00:00' };
  const days = byDay(/** @type {any} */ ([trip, late]), 'Asia/Seoul');
  assert.deepEqual([...days.keys()], ['2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31', '2027-01-01']);
  assert.equal(today('Asia/Seoul', new Date('2026-12-01T15:30:00Z')), '2026-12-02');
});

test('server-sent events are read wherever the bytes are split', async () => {
  const { SseParser } = await import('../../src/lib/sse_text.js');
  const wire = ': hello\n\nevent: piece\ndata: {"text":"안"}\n\nevent: piece\r\ndata: {"text":"녕"}\r\n\r\n'
    + 'data: one\ndata: two\n\nevent: ideas\ndata: {}\n\n';
  for (const step of [1, 3, wire.length]) {
    const parser = new SseParser();
    const events = [];
    for (let at = 0; at < wire.length; at += step) events.push(...parser.feed(wire.slice(at, at + step)));
    assert.deepEqual(events, [
      { event: 'piece', data: '{"text":"안"}' },
      { event: 'piece', data: '{"text":"녕"}' },
      { event: 'message', data: 'one\ntwo' },
      { event: 'ideas', data: '{}' },
    ]);
  }
});
