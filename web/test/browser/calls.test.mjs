// A real video call between two browsers, through a real coturn on loopback: the server gives
// TURN credentials and `relay` as the transport policy, so the media can only flow through
// the TURN server. The child is signed in on two pages; both ring, the first to answer wins
// and the other stops ringing; video frames are decoded on both sides; hanging up ends the
// call on both. A call nobody answers is missed: the callee's notifications and the family
// chat room say so. A family call of three is a mesh of three links; a reload rejoins it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiFamily, freePort, logIn, openPage, withReport, sharedServerAndBrowser } from './support.mjs';

const turnSecret = 'browser-test-coturn-static-auth-secret';
const extra = {
  calls: { turn_secret: turnSecret, turn_urls: '', ice_transport_policy: 'relay', ring_timeout_s: 4 },
  presence: { heartbeat_s: 1, offline_grace_ms: 300 },
};
/** @type {import('node:child_process').ChildProcess | null} */
let turn = null;
const turnDir = mkdtempSync(join(tmpdir(), 'poki-coturn-'));

// Registered before the shared server's hook: its configuration names this coturn's port.
before(async () => {
  const port = await freePort();
  extra.calls.turn_urls = `turn:127.0.0.1:${port}?transport=udp`;
  turn = spawn('turnserver', ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1',
    `--listening-port=${port}`, '--min-port=49152', '--max-port=65535', '--use-auth-secret',
    `--static-auth-secret=${turnSecret}`, '--realm=poki.test', '--no-cli', '--no-tls', '--no-dtls',
    '--allow-loopback-peers', `--db=${join(turnDir, 'turndb')}`, '--log-file=stdout', '--simple-log'],
  { stdio: 'ignore' });
});
const env = sharedServerAndBrowser(extra);
after(() => {
  turn?.kill('SIGKILL');
  rmSync(turnDir, { recursive: true, force: true });
});

/**
 * Waits until the page's remote video has decoded frames.
 * @param {import('playwright-core').Page} page
 */
async function seesVideo(page) {
  await page.waitForFunction(() => {
    const v = /** @type {HTMLVideoElement | null} */ (document.querySelector('[data-testid="call"] video.remote'));
    return v !== null && v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
  }, null, { timeout: 20000 });
}

/** @param {import('playwright-core').Page} page @param {string} phase */
async function inPhase(page, phase) {
  await page.locator(`[data-testid="call"][data-phase="${phase}"]`).waitFor({ timeout: 20000 });
}

test('a parent and a child talk by video through TURN; the first device to answer wins', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent');
  const tablet = await openPage(env.browser, 'child-tablet');
  const phone = await openPage(env.browser, 'child-phone');
  await withReport('call', env.server, [dad, tablet, phone], async () => {
    await logIn(tablet.page, env.server, family.child);
    await logIn(phone.page, env.server, family.child);
    await logIn(dad.page, env.server, family.parent);
    await dad.page.getByRole('link', { name: '가족', exact: true }).click();
    await dad.page.getByRole('button', { name: `${family.child.name}에게 영상 통화` }).click();
    await inPhase(dad.page, 'ringing');
    for (const p of [tablet.page, phone.page]) {
      await inPhase(p, 'incoming');
      await p.getByText(`${family.parent.name}님의 영상 통화`).waitFor();
    }
    await tablet.page.getByRole('button', { name: '받기' }).click();
    // The phone stops ringing.
    await phone.page.locator('[data-testid="call"]').waitFor({ state: 'hidden', timeout: 10000 });

    await inPhase(dad.page, 'connected');
    await inPhase(tablet.page, 'connected');
    await seesVideo(dad.page);
    await seesVideo(tablet.page);

    await tablet.page.getByRole('button', { name: '음소거', exact: true }).click();
    await tablet.page.getByRole('button', { name: '음소거 해제' }).waitFor();
    await dad.page.getByRole('button', { name: '끊기' }).click();
    // Both at once: each says it for a moment, then the screen goes.
    await Promise.all([dad.page, tablet.page].map(async (p) => {
      await p.getByText('통화가 끝났어요').waitFor();
      await p.locator('[data-testid="call"]').waitFor({ state: 'hidden', timeout: 10000 });
    }));

    // And again from the one-to-one chat room, this time the child hangs up.
    await dad.page.getByRole('link', { name: /채팅/ }).click();
    await dad.page.getByRole('button', { name: `${family.child.name}와 대화하기` }).click();
    await dad.page.getByRole('button', { name: `${family.child.name}에게 영상 통화` }).click();
    await inPhase(phone.page, 'incoming');
    await phone.page.getByRole('button', { name: '받기' }).click();
    await seesVideo(dad.page);
    await phone.page.getByRole('button', { name: '끊기' }).click();
    await dad.page.getByText('통화가 끝났어요').waitFor();

    const calls = await (await fetch(`${env.server.url}/api/v1/calls`, {
      headers: { Authorization: `Bearer ${family.parentToken}` },
    })).json();
    assert.equal(calls.items[0].state, 'ended');
    assert.equal(calls.items[0].reason, 'hang_up');
  });
  for (const p of [dad, tablet, phone]) await p.context.close();
});

test('a call nobody answers is missed, in the notifications and the family chat', async () => {
  const family = await apiFamily(env.server);
  const dad = await openPage(env.browser, 'parent');
  const kid = await openPage(env.browser, 'child');
  await withReport('missed-call', env.server, [dad, kid], async () => {
    await logIn(kid.page, env.server, family.child);
    await logIn(dad.page, env.server, family.parent);
    await dad.page.getByRole('link', { name: '가족', exact: true }).click();
    await dad.page.getByRole('button', { name: `${family.child.name}에게 영상 통화` }).click();
    await inPhase(kid.page, 'incoming');
    await dad.page.getByText('받지 않았어요').waitFor({ timeout: 15000 });
    await kid.page.locator('[data-testid="call"]').waitFor({ state: 'hidden', timeout: 10000 });

    await kid.page.getByRole('link', { name: /알림/ }).click();
    await kid.page.getByText(`${family.parent.name}님의 부재중 영상 통화`).waitFor();
    await kid.page.getByRole('link', { name: /채팅/ }).click();
    await kid.page.locator('a.room').first().click();
    await kid.page.locator('li.message', { hasText: '부재중 영상 통화' }).waitFor();
  });
  for (const p of [dad, kid]) await p.context.close();
});

/**
 * Waits until the page decodes video from `count` other parties.
 * @param {import('playwright-core').Page} page @param {number} count
 */
async function seesVideos(page, count) {
  await page.waitForFunction((n) => {
    const playing = [...document.querySelectorAll('[data-testid="call"] figure.tile video.remote')].filter((el) => {
      const v = /** @type {HTMLVideoElement} */ (el);
      return v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0;
    });
    return playing.length === n;
  }, count, { timeout: 30000 });
}

test('a family call of three: a reload rejoins it, and it goes on when one hangs up', async () => {
  const family = await apiFamily(env.server);
  const code = await family.post('/family/link-codes', { role: 'child' }, family.parentToken);
  const sister = { login: `sis-${Math.random().toString(36).slice(2, 10)}`, password: 'grapes and more', name: '서연' };
  await family.post('/auth/join', { code: code.code, login: sister.login, password: sister.password, display_name: sister.name });
  const dad = await openPage(env.browser, 'parent');
  const kid = await openPage(env.browser, 'child');
  const sis = await openPage(env.browser, 'sister');
  await withReport('family-call', env.server, [dad, kid, sis], async () => {
    await logIn(kid.page, env.server, family.child);
    await logIn(sis.page, env.server, sister);
    await logIn(dad.page, env.server, family.parent);
    await dad.page.getByRole('link', { name: '가족', exact: true }).click();
    await dad.page.getByRole('button', { name: '가족 영상 통화' }).click();
    // Nobody picked is refused with a reason; then both children.
    for (const name of [family.child.name, sister.name]) await dad.page.getByLabel(name, { exact: true }).uncheck();
    await dad.page.getByRole('button', { name: '영상 통화 걸기' }).click();
    await dad.page.getByText('한 명에서 세 명까지 골라 주세요.').waitFor();
    for (const name of [family.child.name, sister.name]) await dad.page.getByLabel(name, { exact: true }).check();
    await dad.page.getByRole('button', { name: '영상 통화 걸기' }).click();
    await inPhase(dad.page, 'ringing');
    await dad.page.getByText(`${family.child.name}, ${sister.name}님에게 거는 중…`).waitFor();
    await inPhase(kid.page, 'incoming');
    await kid.page.getByText(`함께: ${sister.name}`).waitFor();
    await kid.page.getByRole('button', { name: '받기' }).click();
    await inPhase(sis.page, 'incoming');
    await sis.page.getByRole('button', { name: '받기' }).click();
    await Promise.all([dad.page, kid.page, sis.page].map((p) => seesVideos(p, 2)));

    // A reload mid-call comes back into it: the others offer to the new page.
    await sis.page.reload();
    await inPhase(sis.page, 'connected');
    await seesVideos(sis.page, 2);

    // Dad hangs up; the children talk on.
    await dad.page.getByRole('button', { name: '끊기' }).click();
    await dad.page.getByText('통화가 끝났어요').waitFor();
    for (const p of [kid.page, sis.page]) {
      await p.locator('[data-testid="call"] .videos[data-count="1"]').waitFor({ timeout: 20000 });
      await inPhase(p, 'connected');
    }
    await kid.page.getByRole('button', { name: '끊기' }).click();
    await sis.page.getByText('통화가 끝났어요').waitFor();

    const calls = await (await fetch(`${env.server.url}/api/v1/calls`, {
      headers: { Authorization: `Bearer ${family.parentToken}` },
    })).json();
    assert.equal(calls.items[0].parties.length, 3);
    assert.equal(calls.items[0].state, 'ended');
    assert.equal(calls.items[0].reason, 'hang_up');
  });
  for (const p of [dad, kid, sis]) await p.context.close();
});
