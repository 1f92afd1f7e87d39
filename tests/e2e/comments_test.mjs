// Comments and the recycle bin (issue 15) in Debian's Chromium through playwright-core:
// a member posts a comment through the document page's form; a second one at once is
// refused with a clear message (the least interval between comments); another member's
// comment with an XSS payload is shown as text and runs nothing; that comment, reported,
// is removed by an admin from /admin's reports; the owner deletes the document (to the
// recycle bin: gone for guests and search), finds it on 回收站 and restores it.
// usage: node comments_test.mjs --wenku path/to/wenku
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const shots = path.join(here, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>"\'&';
const c = new Checks();

async function signIn(browser, base, name, register) {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60000);
  page.on('dialog', (d) => d.accept());  // the confirm() of delete forms
  await page.goto(base + (register ? '/register' : '/login'));
  await page.fill('input[name=name]', name);
  await page.fill('input[name=password]', PASSWORD);
  if (register) await page.fill('input[name=password2]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(base + '/');
  return { ctx, page };
}

async function postComment(page, base, id, text) {
  await page.goto(`${base}/d/${id}#comments`);
  await page.fill('.comment-form textarea[name=body]', text);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('.comment-form button[type=submit]'),
  ]);
  return response;
}

const srv = await startServer(wenku, ['comment_interval_seconds=60']);
const browser = await launchBrowser();
try {
  const admin = await signIn(browser, srv.base, 'admin', false);
  const csrf = await admin.page.getAttribute('meta[name=csrf-token]', 'content');
  const r = await admin.page.request.post(srv.base + '/api/v1/documents', {
    headers: { 'X-CSRF-Token': csrf },
    multipart: { file: { name: 'comments.txt', mimeType: 'text/plain', buffer: Buffer.from('评论测试 回收站测试 commentword\n第二段。\n') },
      title: '评论与回收站测试' },
  });
  const id = (await r.json()).id;
  for (let i = 0; ; i++) {
    const j = await (await admin.page.request.get(`${srv.base}/api/v1/documents/${id}`)).json();
    if (j.status === 'ready') break;
    if (j.status === 'failed' || i > 600) throw new Error('document did not become ready: ' + JSON.stringify(j));
    await admin.page.waitForTimeout(200);
  }

  // A member comments through the form.
  const alice = await signIn(browser, srv.base, 'alice', true);
  let resp = await postComment(alice.page, srv.base, id, '写得很好，谢谢分享！');
  c.expect(resp && resp.status() === 200, 'comment posted: ' + (resp && resp.status()));
  const bodies = await alice.page.locator('.comment .comment-body').allTextContents();
  c.expect(bodies.includes('写得很好，谢谢分享！'), 'the comment is on the page: ' + bodies.join(' | '));
  c.expect((await alice.page.textContent('.doc-meta .comment-count')).trim() === '1', 'comment count 1 in the metadata');
  c.expect((await alice.page.textContent('.notice')).includes('评论已发表'), 'posted notice');

  // A second comment at once: refused, saying why.
  resp = await postComment(alice.page, srv.base, id, '再来一条');
  c.expect(resp && resp.status() === 429, 'second comment within the interval answers 429: ' + (resp && resp.status()));
  const notice = await alice.page.textContent('.notice');
  c.expect(notice.includes('发表评论太频繁'), 'clear message: ' + notice);
  c.expect(!(await alice.page.locator('.comment .comment-body').allTextContents()).includes('再来一条'), 'not posted');

  // Another member's comment with an XSS payload: text, not markup.
  const bob = await signIn(browser, srv.base, 'bob', true);
  resp = await postComment(bob.page, srv.base, id, XSS);
  c.expect(resp && resp.status() === 200, 'XSS comment posted');
  const xssComment = bob.page.locator('.comment', { hasText: 'onerror' });
  c.expect(await xssComment.count() === 1, 'XSS comment listed');
  c.expect((await xssComment.locator('.comment-body').textContent()).trim() === XSS, 'shown as its text');
  c.expect(await xssComment.locator('img, script').count() === 0, 'no element made from it');
  c.expect(await bob.page.evaluate(() => window.__xss === undefined), 'nothing ran');
  const xssId = await xssComment.getAttribute('data-id');
  await bob.page.setViewportSize({ width: 390, height: 844 });
  await bob.page.locator('#comments').screenshot({ path: path.join(shots, 'comments-phone.png') });
  await bob.page.setViewportSize({ width: 1366, height: 900 });
  await bob.page.locator('#comments').screenshot({ path: path.join(shots, 'comments-desktop.png') });

  // Alice reports it; the admin removes it from the reports.
  await alice.page.goto(`${srv.base}/d/${id}#comments`);
  const row = alice.page.locator(`#comment-${xssId}`);
  await row.locator('details.comment-report summary').click();
  await row.locator('select[name=reason]').selectOption('abuse');
  await Promise.all([alice.page.waitForNavigation(), row.locator('details.comment-report button[type=submit]').click()]);
  c.expect((await alice.page.textContent('.notice')).includes('感谢举报'), 'comment reported');
  await admin.page.goto(srv.base + '/admin?tab=reports');
  const report = admin.page.locator('tr.report-row', { hasText: 'onerror' });
  c.expect(await report.count() === 1, 'the admin sees the reported comment');
  c.expect(await admin.page.evaluate(() => window.__xss === undefined), 'nothing ran on /admin');
  await Promise.all([admin.page.waitForNavigation(), report.locator('button.remove-comment').click()]);
  await alice.page.goto(`${srv.base}/d/${id}#comments`);
  c.expect(await alice.page.locator(`#comment-${xssId}`).count() === 0, 'the removed comment is gone');
  c.expect(await alice.page.locator('.comment').count() === 1, 'the other comment stays');
  c.expect((await alice.page.textContent('.doc-meta .comment-count')).trim() === '1', 'count back to 1');

  // The owner deletes the document: to the recycle bin, then restores it.
  const guest = await browser.newContext({ locale: 'zh-CN' });
  const guestPage = await guest.newPage();
  await admin.page.goto(`${srv.base}/d/${id}`);
  await Promise.all([admin.page.waitForNavigation(), admin.page.click('button.delete-doc')]);
  c.expect((await admin.page.textContent('.notice')).includes('回收站'), 'moved to the recycle bin: ' + admin.page.url());
  c.expect((await guestPage.goto(`${srv.base}/d/${id}`)).status() === 404, 'its page is 404 for a guest');
  let hits = await (await guestPage.request.get(`${srv.base}/api/v1/search?q=commentword`)).json();
  c.expect(!hits.hits.some((h) => h.id === id), 'search leaves it out');
  await admin.page.goto(srv.base + '/me/bin');
  const binned = admin.page.locator(`tr.bin-doc[data-id="${id}"]`);
  c.expect(await binned.count() === 1, '回收站 lists it');
  await Promise.all([admin.page.waitForNavigation(), binned.locator('button.restore').click()]);
  c.expect((await admin.page.textContent('.notice')).includes('已恢复'), 'restored notice');
  c.expect(await admin.page.locator(`tr.bin-doc[data-id="${id}"]`).count() === 0, 'gone from the bin');
  c.expect((await guestPage.goto(`${srv.base}/d/${id}`)).status() === 200, 'its page is back for a guest');
  hits = await (await guestPage.request.get(`${srv.base}/api/v1/search?q=commentword`)).json();
  c.expect(hits.hits.some((h) => h.id === id), 'search finds it again');
  c.expect((await guestPage.locator('.comment').count()) === 1, 'its comments came back with it');
  await guest.close();
} catch (e) {
  c.expect(false, 'exception: ' + (e && e.stack || e));
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
  if (c.failures.length === 0 && !process.env.WENKU_KEEP) fs.rmSync(srv.tmp, { recursive: true, force: true });
  else console.log('kept ' + srv.tmp);
}
console.log(`comments e2e: ${c.count} checks, ${c.failures.length} failed`);
process.exit(c.failures.length ? 1 : 0);
