// What every browser test needs: the real poki binary serving the built web app on a free
// loopback port (against the PostgreSQL and Redis scripts/test started), and Debian's
// Chromium driven by playwright-core. A failing test leaves a screenshot and the console.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { ContractChecker } from '../support/contract.mjs';

/** @param {string} name */
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through scripts/test`);
  return value;
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(port));
    });
  });
}

/** This process's environment without POKI_* variables: the server takes each as a key. */
function serverEnvironment() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POKI_')));
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The server under test; `restart()` stops it (SIGKILL or SIGTERM) and starts it again. */
export class PokiServer {
  /** @param {Record<string, unknown>} [extra] configuration merged over the defaults */
  constructor(extra = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'poki-browser-'));
    this.extra = extra;
    /** @type {import('node:child_process').ChildProcess | null} */
    this.process = null;
    this.port = 0;
    /** @type {Promise<ContractChecker> | undefined} */
    this.checker = undefined;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    if (!this.port) this.port = await freePort();
    const config = {
      http: { address: '127.0.0.1', port: this.port, threads: 2, drain_timeout_ms: 2000 },
      database: { url: required('TEST_POKI_PG_URL'), migrations_dir: required('TEST_POKI_SQL_DIR'), pool_size: 4 },
      redis: { port: Number(required('TEST_POKI_REDIS_PORT')), reconnect_min_ms: 20, reconnect_max_ms: 200 },
      log: { level: 'info' },
      auth: { jwt_secret: 'browser-test-signing-key-0123456789abcdef', scrypt_log2_n: 10 },
      web: { root: required('TEST_POKI_WEB_ROOT') },
      ...this.extra,
    };
    writeFileSync(join(this.dir, 'poki.json'), JSON.stringify(config));
    const log = openSync(join(this.dir, 'server.log'), 'a');
    this.process = spawn(required('TEST_POKI_BINARY'), ['serve', '--config', join(this.dir, 'poki.json')],
      { stdio: ['ignore', log, log], env: serverEnvironment() });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (this.process.exitCode !== null) break;
      await sleep(50);
    }
    throw new Error(`the server did not start:\n${this.log()}`);
  }

  /** @param {NodeJS.Signals} [signal] */
  async stop(signal = 'SIGTERM') {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }

  /** The checker of the API document this server serves, loaded once. */
  contract() {
    this.checker ??= ContractChecker.load(this.url);
    return this.checker;
  }

  log() {
    try {
      return readFileSync(join(this.dir, 'server.log'), 'utf8');
    } catch {
      return '';
    }
  }

  async close() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const chromiumPath = process.env.TEST_POKI_CHROMIUM ?? '/usr/bin/chromium';

/** Debian's Chromium, headless, with a fake camera and microphone for calls. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
}

/**
 * A page in a context of its own (its own cookies: one family member), phone-sized unless
 * told otherwise, whose console and errors are kept for the failure report.
 * @param {import('playwright-core').Browser} browser
 * @param {string} name
 * @param {{ width: number, height: number }} [viewport]
 */
export async function openPage(browser, name, viewport = { width: 390, height: 844 }) {
  const context = await browser.newContext({ viewport, locale: 'ko-KR' });
  const page = await context.newPage();
  /** @type {string[]} */
  const consoleLines = [];
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
  page.on('dialog', (d) => void d.accept());
  /** @type {Promise<{ method: string, url: string, status: number, contentType: string, body: string | null } | null>[]} */
  const answers = [];
  page.on('response', (response) => answers.push(answerOf(response)));
  return { name, context, page, consoleLines, answers };
}

/**
 * What a page got from the server, for the contract check. An event stream never ends, and
 * a body the browser already let go of (the page moved on) is not there to read.
 * @param {import('playwright-core').Response} response
 */
async function answerOf(response) {
  try {
    const contentType = (await response.headerValue('content-type')) ?? '';
    // A copy the browser revalidated shows as 200 with the 304's headers (no media type):
    // the server's answer was the 304.
    const asked = await response.request().allHeaders();
    if (!contentType && ('if-none-match' in asked || 'if-modified-since' in asked)) {
      return { method: response.request().method(), url: response.url(), status: 304, contentType, body: null };
    }
    // An event stream never ends, a WebSocket's 101 has no body, and a body cut off with the
    // server (a test that kills it) never completes: those are checked without one.
    const whole = !contentType.startsWith('text/event-stream') && response.status() !== 101;
    // The timer must not keep node waiting after the last test.
    const giveUp = new Promise((resolve) => setTimeout(resolve, 5000).unref()).then(() => null);
    const body = whole ? await Promise.race([response.body().then((b) => b.toString('utf8')), giveUp]) : null;
    return { method: response.request().method(), url: response.url(), status: response.status(), contentType, body };
  } catch {
    // The page or its context closed before the answer could be read: nothing to check.
    return null;
  }
}

/**
 * Runs a browser scenario; when it fails, every page's screenshot and console go to
 * TEST_POKI_ARTIFACTS (or a temporary folder), and the server's log to stderr.
 * @param {string} title
 * @param {PokiServer} server
 * @param {Awaited<ReturnType<typeof openPage>>[]} pages
 * @param {() => Promise<void>} scenario
 */
export async function withReport(title, server, pages, scenario) {
  try {
    await scenario();
    // An uncaught exception or unhandled rejection in a page is a bug even when the screen
    // looked right.
    for (const p of pages) {
      const errors = p.consoleLines.filter((line) => line.startsWith('[pageerror]'));
      if (errors.length) throw new Error(`${p.name}'s page threw:\n${errors.join('\n')}`);
    }
    // Every answer the pages got keeps the API document.
    const checker = await server.contract();
    for (const p of pages) {
      const broken = (await Promise.all(p.answers)).flatMap((answer) => (answer ? checker.check(answer) : []));
      if (broken.length) throw new Error(`${p.name}'s page got answers the API document does not allow:\n${broken.join('\n')}`);
    }
  } catch (error) {
    const dir = join(process.env.TEST_POKI_ARTIFACTS ?? tmpdir(), title.replace(/[^\w-]+/g, '_'));
    mkdirSync(dir, { recursive: true });
    for (const p of pages) {
      try {
        await p.page.screenshot({ path: join(dir, `${p.name}.png`), fullPage: true });
      } catch {
        // the page may be gone
      }
      writeFileSync(join(dir, `${p.name}.console.txt`), p.consoleLines.join('\n'));
    }
    writeFileSync(join(dir, 'server.log'), server.log());
    console.error(`browser test failed: screenshots and console logs in ${dir}`);
    throw error;
  }
}

/**
 * A parent and a child made through the API (the family-flow test covers the screens that
 * do it), for tests about what comes after.
 * @param {PokiServer} server
 */
export async function apiFamily(server) {
  const id = Math.random().toString(36).slice(2, 10);
  /** @param {string} path @param {unknown} body @param {string} [token] */
  const post = async (path, body, token) => {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const data = await res.json();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  const parent = { email: `parent-${id}@example.com`, password: 'correct horse battery', name: '아빠' };
  const signup = await post('/auth/signup', { email: parent.email, password: parent.password, display_name: parent.name });
  const code = await post('/family/link-codes', { role: 'child' }, signup.access_token);
  const child = { login: `kid-${id}`, password: 'grapes and more', name: '도윤' };
  await post('/auth/join', { code: code.code, login: child.login, password: child.password, display_name: child.name });
  return { parent, child, parentToken: signup.access_token, post };
}

/**
 * Logs a page in through the login screen.
 * @param {import('playwright-core').Page} page
 * @param {PokiServer} server
 * @param {{ email?: string, login?: string, password: string }} who
 */
export async function logIn(page, server, who) {
  await page.goto(`${server.url}/login`);
  if (who.login) await page.getByLabel('누구인가요?').selectOption('login');
  await page.getByLabel(who.login ? '아이디' : '이메일', { exact: true }).fill(who.login ?? who.email ?? '');
  await page.getByLabel('비밀번호', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: '로그인' }).click();
  await page.getByRole('heading', { name: /안녕하세요/ }).waitFor();
}

/**
 * The ideas panel's setting: a family made through the API, the parent on the missions page
 * (wide, so the panel shows beside the form) and the child's missions page open and still
 * empty, so the scenario can watch a given idea arrive there.
 * @param {string} title for the report on failure
 * @param {{ server: PokiServer, browser: import('playwright-core').Browser }} env
 * @param {(pages: { parent: import('playwright-core').Page, child: import('playwright-core').Page,
 *   panel: import('playwright-core').Locator }) => Promise<void>} scenario
 */
export async function withIdeasPanel(title, env, scenario) {
  const family = await apiFamily(env.server);
  const mom = await openPage(env.browser, 'parent', { width: 1280, height: 900 });
  const kid = await openPage(env.browser, 'child');
  await withReport(title, env.server, [mom, kid], async () => {
    await logIn(mom.page, env.server, family.parent);
    await logIn(kid.page, env.server, family.child);
    await kid.page.getByRole('link', { name: '미션' }).click();
    await kid.page.locator('li.empty').waitFor();
    await mom.page.getByRole('link', { name: '미션' }).click();
    const panel = mom.page.getByRole('form', { name: '미션 아이디어' });
    await scenario({ parent: mom.page, child: kid.page, panel });
  });
}

/**
 * One server and one browser for a test file, started before its tests and stopped after.
 * @param {Record<string, unknown>} [extra] server configuration, as for PokiServer
 */
export function sharedServerAndBrowser(extra = {}) {
  /** @type {{ server: PokiServer, browser: import('playwright-core').Browser }} */
  const env = /** @type {any} */ ({});
  before(async () => {
    env.server = new PokiServer(extra);
    await env.server.start();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
