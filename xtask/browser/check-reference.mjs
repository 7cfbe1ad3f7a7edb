// Opens a generated reference page in headless Chromium and checks that it renders every operation of its
// spec, not only the page header. Run by `cargo xtask browser-check` / `cargo xtask docs --browser-check`:
//
//   node xtask/browser/check-reference.mjs PAGE.html EXPECTED.json
//
// EXPECTED.json is a list of {method, path, operationId, summary}. The page passes when, visiting each tag
// and operation as a reader would, the rendered text (document.body.innerText: what a reader sees, never the
// page's scripts or its embedded copy of the spec) shows each operation's summary and its method and path,
// and the page fetched no script or style from the network (it must work offline).
// Exit status: 0 passed, 1 operations missing, 2 usage or browser failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [pagePath, expectedPath] = process.argv.slice(2);
if (!pagePath || !expectedPath) {
  console.error('usage: node check-reference.mjs PAGE.html EXPECTED.json');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
const squash = (text) => text.replace(/\s+/g, ' ').trim();

const profile = mkdtempSync(join(tmpdir(), 'xtask-chromium-'));
let browser;
try {
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync',
    ],
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  // The page must work offline: any request that leaves the file system is refused and reported.
  // Images (Redoc's "API docs by" logo) may be missing offline; a script or style from the network may not.
  const external = [];
  await page.route(/^(?!file:|data:|blob:|about:)/, (route) => {
    if (route.request().resourceType() !== 'image') external.push(route.request().url());
    return route.abort();
  });
  await page.goto(pathToFileURL(resolve(pagePath)).href, { waitUntil: 'load' });
  // Redoc renders one tag's operations at a time (the tag a reader navigates to), so the check visits each
  // tag, then each operation not yet seen, and collects what was rendered on the way.
  const seen = [];
  const visibleText = async () => squash(await page.evaluate(() => document.body.innerText));
  const rendered = (op) =>
    seen.some((text) => text.includes(squash(op.summary))) &&
    seen.some((text) => text.includes(`${op.method.toUpperCase()} ${op.path}`));
  // Every in-page link to a tag or an operation met on the way (the menu lists a tag's operations only
  // while that tag is open).
  const links = new Set();
  // Goes to a place in the page and records what it shows once the text has settled (Redoc renders a tag's
  // operations progressively), or `done` holds, or the time is up.
  const visit = async (hash, timeout, done) => {
    await page.evaluate((hash) => { window.location.hash = hash; }, hash);
    const deadline = Date.now() + timeout;
    let last = '';
    let stable = 0;
    while (Date.now() < deadline && stable < 4) {
      await page.waitForTimeout(250);
      const text = await visibleText();
      stable = text === last && text.length > 0 ? stable + 1 : 0;
      last = text;
      if (done && done(text)) break;
    }
    seen.push(last);
    for (const href of await page.evaluate(() =>
      [...document.querySelectorAll('a[href^="#/"]')].map((link) => link.getAttribute('href')),
    )) {
      if (!href.includes('#', 1)) links.add(href);
    }
  };
  await page
    .waitForFunction(() => document.body.innerText.includes('Operations'), null, { timeout: 30000 })
    .catch(() => {});
  seen.push(await visibleText());
  const tags = await page.evaluate(() => [
    ...new Set(
      [...document.querySelectorAll('[data-section-id]')]
        .map((element) => element.getAttribute('data-section-id'))
        .filter((id) => /^\/[^/]+$/.test(id)),
    ),
  ]);
  for (const tag of tags) await visit(`#${tag}`, 15000);
  for (const op of expected.filter((op) => !rendered(op))) {
    const href = [...links].find((href) => href.endsWith(`/${op.operationId}`));
    const shows = (text) =>
      text.includes(squash(op.summary)) && text.includes(`${op.method.toUpperCase()} ${op.path}`);
    if (href) await visit(href, 10000, shows);
  }
  const text = seen.join(' ');
  const missing = expected.filter((op) => !rendered(op));
  for (const op of missing) {
    console.log(`not rendered: ${op.method.toUpperCase()} ${op.path} (${op.operationId}): ${op.summary}`);
  }
  for (const url of external) console.log(`requested from the network (refused): ${url}`);
  console.log(
    `${expected.length - missing.length} of ${expected.length} operations rendered` +
      ` (${text.length} characters of visible text over ${seen.length} views)`,
  );
  process.exitCode = missing.length === 0 && external.length === 0 ? 0 : 1;
} catch (error) {
  console.error(`browser check failed: ${error.message}`);
  process.exitCode = 2;
} finally {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
}
