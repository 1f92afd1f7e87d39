// Favourites (收藏), ratings and collections (专辑) in Debian's Chromium (issue 15): a member
// stars a document and sees the count, rates it (the average shown, a second rating
// replacing the first), makes a public and a private collection from the document page,
// finds them and the favourite on 我的文档; the public collection page lists the document
// to a signed-out visitor and is in the sitemap, the private one answers 404 to another
// member. Saves screenshots of the collection page, 我的文档 and the document page's block at
// phone and desktop widths.
// usage: node social_test.mjs --wenku path/to/wenku
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, makePdf, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const shots = path.join(here, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const c = new Checks();

async function screenshot(page, name) {
  for (const [label, width] of [['phone', 390], ['desktop', 1366]]) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
    await page.waitForTimeout(150);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
    c.expect(wide, `${name} at ${width}px: no sideways scroll`);
    await page.screenshot({ path: path.join(shots, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function register(browser, name) {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(srv.base + '/register');
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD);
  if (await page.$('input[name=password2]')) await page.fill('input[name=password2]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(srv.base + '/');
  return page;
}

const srv = await startServer(wenku);
const browser = await launchBrowser();
try {
  const page = await register(browser, 'lisi');
  const csrf = await page.getAttribute('meta[name=csrf-token]', 'content');
  const r = await page.request.post(srv.base + '/api/v1/documents', {
    headers: { 'X-CSRF-Token': csrf },
    multipart: { file: { name: 'social.pdf', mimeType: 'application/pdf', buffer: makePdf(3) }, title: '收藏测试文档 social test' },
  });
  const id = (await r.json()).id;
  for (let i = 0; ; i++) {
    const j = await (await page.request.get(`${srv.base}/api/v1/documents/${id}`)).json();
    if (j.status === 'ready') break;
    if (j.status === 'failed' || i > 600) throw new Error('the document did not become ready: ' + JSON.stringify(j));
    await page.waitForTimeout(200);
  }
  c.expect(true, `document ${id} uploaded and ready`);

  // Star it: the form posts and the page comes back with the count and 取消收藏.
  await page.goto(`${srv.base}/d/${id}`);
  c.expect((await page.textContent('.fav-count .n')).trim() === '0', 'no favourites at first');
  await page.click('.star-form button');
  await page.waitForSelector('.star-form button.starred');
  c.expect((await page.textContent('.fav-count .n')).trim() === '1', 'starred: the count is 1');

  // Rate it 4, then 2: the average follows the second rating (one per reader).
  await page.check('.rate-form input[name=stars][value="4"]');
  await page.click('.rate-form button');
  await page.waitForSelector('.rating-summary .avg');
  c.expect((await page.textContent('.rating-summary .avg')).trim() === '4.0', 'rated 4: average 4.0');
  await page.check('.rate-form input[name=stars][value="2"]');
  await page.click('.rate-form button');
  await page.waitForSelector('.rating-summary .avg');
  c.expect((await page.textContent('.rating-summary .avg')).trim() === '2.0', 'rated again 2: average 2.0, not 3.0');
  c.expect((await page.textContent('.rating-count')).includes('1'), 'one rating counted');

  // Collections from the document page: a public one, then a private one.
  await page.click('details.collect summary');
  await page.fill('.collect-form input[name=new_name]', '公开专辑 public album');
  await page.check('.collect-form input[name=new_public]');
  await page.click('.collect-form button.collect-save');
  await page.waitForURL(new RegExp(`/d/${id}`));
  await page.click('details.collect summary');
  await page.fill('.collect-form input[name=new_name]', '私有专辑 private album');
  await page.click('.collect-form button.collect-save');
  await page.waitForURL(new RegExp(`/d/${id}`));
  await page.click('details.collect summary');
  const held = await page.$$eval('.collect-form input[name=c]', (xs) => xs.filter((x) => x.checked).length);
  c.expect(held === 2, `the document page shows both collections holding it (${held})`);

  await screenshot(page, 'document-social');
  // 我的文档: the favourite and both collections.
  await page.goto(srv.base + '/me');
  c.expect(await page.$(`ul.favourites a[href="/d/${id}"]`) !== null, '我的收藏 lists the starred document');
  const links = await page.$$eval('a.collection-link', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  const pub = links.find(([t]) => t.includes('公开专辑'));
  const priv = links.find(([t]) => t.includes('私有专辑'));
  c.expect(pub && priv, '我的专辑 lists both collections: ' + JSON.stringify(links));
  await screenshot(page, 'me-favourites');

  // The public collection page, signed out: it lists the document; it is in the sitemap.
  const guestCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const guest = await guestCtx.newPage();
  let resp = await guest.goto(srv.base + pub[1]);
  c.expect(resp.status() === 200, 'a signed-out visitor opens the public collection');
  c.expect((await guest.textContent('h1.collection-name')).includes('公开专辑'), 'its name is the heading');
  c.expect(await guest.$(`.doc-grid a.title[href="/d/${id}"]`) !== null, 'the public collection lists the document');
  c.expect(await guest.$('form[action$="/delete"]') === null, 'a visitor gets no edit or delete form');
  await screenshot(guest, 'collection');
  const sitemap = await (await guest.request.get(srv.base + '/sitemap.xml')).text();
  c.expect(sitemap.includes(pub[1] + '<') && !sitemap.includes(priv[1] + '<'), 'the sitemap lists the public collection only');
  // The private one: 404 signed out and for another member; the owner sees it.
  resp = await guest.goto(srv.base + priv[1]);
  c.expect(resp.status() === 404, 'the private collection is 404 signed out');
  const other = await register(browser, 'wangwu');
  resp = await other.goto(srv.base + priv[1]);
  c.expect(resp.status() === 404, 'the private collection is 404 for another member');
  resp = await page.goto(srv.base + priv[1]);
  c.expect(resp.status() === 200, 'the owner opens the private collection');

  // Rename through the edit form; remove the document; delete the collection.
  await page.goto(srv.base + pub[1]);
  await page.click('details.collection-edit summary');
  await page.fill('.collection-edit input[name=name]', '改名的专辑');
  await page.click('.collection-edit button[type=submit]');
  await page.waitForSelector('h1.collection-name');
  c.expect((await page.textContent('h1.collection-name')).includes('改名的专辑'), 'renamed');
  await page.click('button.remove-from-collection');
  await page.waitForSelector('p.empty');
  c.expect(await page.$(`.doc-grid a.title[href="/d/${id}"]`) === null, 'removed from the collection');
  page.once('dialog', (d) => d.accept());
  await page.click('button.delete-collection');
  await page.waitForURL(/\/me/);
  resp = await guest.goto(srv.base + pub[1]);
  c.expect(resp.status() === 404, 'a deleted collection is gone');
  // Unstar: the count goes back to 0.
  await page.goto(`${srv.base}/d/${id}`);
  await page.click('.star-form button.starred');
  await page.waitForSelector('.star-form button:not(.starred)');
  c.expect((await page.textContent('.fav-count .n')).trim() === '0', 'unstarred: the count is 0');
} catch (e) {
  c.expect(false, 'unexpected error: ' + (e.stack || e));
} finally {
  await browser.close();
  await srv.stop();
}
console.log(`FIGURES e2e_social checks=${c.count} failures=${c.failures.length}`);
if (c.failures.length) {
  console.log('FAILED:\n' + c.failures.join('\n'));
  process.exit(1);
}
fs.rmSync(srv.tmp, { recursive: true, force: true });
