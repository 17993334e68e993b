// A real video call between two browsers, through a real coturn on loopback: the server gives
// TURN credentials and `relay` as the transport policy, so the media can only flow through
// the TURN server. The child is signed in on two pages; both ring, the first to answer wins
// and the other stops ringing; video frames are decoded on both sides; hanging up ends the
// call on both. A call nobody answers is missed: the callee's notifications and the family
// chat room say so.
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
