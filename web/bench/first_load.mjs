// The web app's first load as a browser sees it: bytes transferred (HTML, JS, CSS, with
// headers, compressed as sent) and milliseconds from navigation to the first screen (the
// sign-in form), each from a fresh profile; the median of `runs`.
// usage: node bench/first_load.mjs URL [runs]  → prints "bytes=<n> first_screen_ms=<n>"
import { chromium } from 'playwright-core';

const [url, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.TEST_POKI_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox'],
});
const bytes = [];
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    await page.locator('form').waitFor();
    const sample = await page.evaluate(() => {
      const nav = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
      const assets = performance.getEntriesByType('resource')
        .filter((e) => /\.(js|css)$/.test(new URL(e.name).pathname));
      return {
        ms: performance.now(),
        bytes: nav.transferSize + assets.reduce((sum, e) => sum + /** @type {PerformanceResourceTiming} */ (e).transferSize, 0),
      };
    });
    bytes.push(sample.bytes);
    times.push(sample.ms);
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`bytes=${median(bytes)} first_screen_ms=${median(times).toFixed(0)}`);
