// Every width, and the reader (issue 15), in Debian's Chromium through playwright-core, one
// server and one browser for the whole run:
// - documents with long titles the test makes (a 120-character unbroken file name, a long
//   Chinese title in a long category, a 12-page PDF) are uploaded through the API;
// - home, category, document, search, upload, sign-in, 我的文档 and every admin tab are
//   loaded at 320, 360, 390, 414, 768, 1024 and 1366 px in Chinese and in English: no page
//   is wider than the window, no image wider than its container, the document page's
//   actions and the header's links inside the window; English says "1 page", not "1 pages";
// - the reader: later page images are fetched only after a scroll, the page-number box and
//   the arrow keys jump, fit-width and actual size, the page text for screen readers.
// usage: node layout_test.mjs --wenku path/to/wenku
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, makePdf, startServer, waitUntil } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const shots = path.join(here, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const WIDTHS = [320, 360, 390, 414, 768, 1024, 1366];
const LONG_NAME = 'Quarterly_financial_statement_of_the_municipal_education_bureau_final_revision_2024_approved_copy_no_spaces_here'.padEnd(116, 'X').slice(0, 116) + '.txt';
const LONG_ZH_TITLE = '关于进一步加强和改进新时代全市教育系统干部队伍建设与基层党组织标准化规范化建设工作的实施意见及配套细则征求意见稿第二次修订版本';
const LONG_CATEGORY = '办公文档/事务文书/超长的分类名称用来测试窄屏幕下的布局是否会被撑开而出现横向滚动条';
const READER_PAGES = 12;
const c = new Checks();

const srv = await startServer(wenku, ['preview_pages=20']);
const browser = await launchBrowser();
try {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 800 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(srv.base + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(srv.base + '/');
  const csrf = await page.getAttribute('meta[name=csrf-token]', 'content');

  const upload = async (name, mimeType, buffer, fields) => {
    const r = await page.request.post(srv.base + '/api/v1/documents', {
      headers: { 'X-CSRF-Token': csrf },
      multipart: { file: { name, mimeType, buffer }, ...fields },
    });
    if (r.status() !== 202) throw new Error(`upload of ${name}: ${r.status()} ${await r.text()}`);
    return (await r.json()).id;
  };
  const longText = Buffer.from('宽度测试 width test\n' + 'W'.repeat(300) + '\n' + '这是一个很长的段落，'.repeat(40) + '\n');
  const ids = {
    longName: await upload(LONG_NAME, 'text/plain', longText, { category: LONG_CATEGORY }),
    longTitle: await upload('zh.txt', 'text/plain', Buffer.from('教育系统 宽度测试\n' + '干部队伍建设。'.repeat(60)),
      { title: LONG_ZH_TITLE, category: LONG_CATEGORY, tags: 'Averyveryverylongunbrokentagwithoutanyspacesinsideitatall,标签' }),
    reader: await upload('reader.pdf', 'application/pdf', makePdf(READER_PAGES), { title: '阅读器测试 reader test' }),
  };
  for (const [k, id] of Object.entries(ids)) {
    for (let i = 0; ; i++) {
      const j = await (await page.request.get(`${srv.base}/api/v1/documents/${id}`)).json();
      if (j.status === 'ready' && (j.preview_pages >= Math.min(j.pages, 20) || i > 100)) break;
      if (j.status === 'failed' || i > 600) throw new Error(`${k} (${id}) did not become ready: ${JSON.stringify(j)}`);
      await page.waitForTimeout(200);
    }
  }
  c.expect(true, 'three documents with long titles uploaded and ready: ' + JSON.stringify(ids));
  // A report with a long unbroken detail, so the admin's reports table has long cells.
  await page.request.post(`${srv.base}/d/${ids.longTitle}/report`, {
    form: { csrf, reason: 'other', detail: 'D'.repeat(400) },
  });
  await page.goto(`${srv.base}/d/${ids.longName}`);  // a view, so 最多浏览 lists it

  const guest = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 800 } });
  const guestPage = await guest.newPage();
  const pages = [
    [page, '/'],
    [page, '/c/' + encodeURIComponent(LONG_CATEGORY).replace(/%2F/g, '/')],
    [page, `/d/${ids.longName}`],
    [page, `/d/${ids.longTitle}`],
    [page, `/d/${ids.reader}`],
    [page, '/s?q=' + encodeURIComponent('宽度测试')],
    [page, '/s?q=' + encodeURIComponent('nothingmatchesthisqueryatallnothingmatchesthisqueryatallnothingmatches')],
    [page, '/upload'],
    [page, '/me'],
    ...['reports', 'review', 'users', 'categories', 'settings', 'stats'].map((t) => [page, '/admin?tab=' + t]),
    [guestPage, '/login'],
    [guestPage, '/register'],
  ];
  const measure = () => {
    const overflowing = [];
    for (const img of document.images) {
      if (!img.getClientRects().length) continue;
      const w = img.getBoundingClientRect().width;
      const box = img.parentElement.getBoundingClientRect().width;
      if (w > box + 0.5) overflowing.push(`${img.getAttribute('src')} ${w}>${box}`);
    }
    // What a thumb must reach: the document's actions, the header's links and search button.
    const outside = [];
    for (const el of document.querySelectorAll('.actions .btn, .user-nav a, .user-nav button, .search-box button')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.left < 0 || r.right > innerWidth + 0.5)) outside.push(el.textContent.trim());
    }
    return { scroll: document.documentElement.scrollWidth, inner: innerWidth, overflowing, outside };
  };
  let widthFailures = 0;
  for (const lang of ['zh-CN', 'en']) {
    for (const ct of [ctx, guest]) {
      await ct.addCookies([{ name: 'wk_lang', value: lang, url: srv.base }]);
    }
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 800 });
      await guestPage.setViewportSize({ width, height: 800 });
      for (const [p, url] of pages) {
        await p.goto(srv.base + url);
        const m = await p.evaluate(measure);
        const where = `${lang} ${width}px ${url}`;
        const ok = m.scroll <= m.inner && m.overflowing.length === 0 && m.outside.length === 0;
        if (!ok) {
          widthFailures += 1;
          c.expect(false, `${where}: scrollWidth ${m.scroll} > ${m.inner}, images ${m.overflowing.join('; ')}, out of reach ${m.outside.join('; ')}`);
        }
      }
    }
  }
  c.expect(widthFailures === 0, `no page wider than the window, no image wider than its container, actions in reach: ${pages.length} pages x ${WIDTHS.length} widths x 2 languages`);

  // English: one page is "1 page".
  await page.setViewportSize({ width: 1366, height: 800 });
  for (const url of ['/', '/me', '/s?q=' + encodeURIComponent('宽度测试')]) {
    const text = await (await page.goto(srv.base + url)).text();
    c.expect(!/\b1 pages\b/.test(text) && /\b1 page\b/.test(text), `English ${url} says "1 page"`);
    c.expect(!/\b1 results\b/.test(text), `English ${url} never says "1 results"`);
  }
  await ctx.addCookies([{ name: 'wk_lang', value: 'zh-CN', url: srv.base }]);

  await readerChecks(page, ids.reader);
  await guest.close();
  await ctx.close();
} catch (e) {
  c.expect(false, 'exception: ' + (e && e.stack || e));
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
  if (c.failures.length === 0 && !process.env.WENKU_KEEP) fs.rmSync(srv.tmp, { recursive: true, force: true });
  else console.log('kept ' + srv.tmp);
}
console.log(`layout e2e: ${c.count} checks, ${c.failures.length} failed`);
process.exit(c.failures.length ? 1 : 0);

// The reader on the document page (filled in with the reader).
async function readerChecks(page, id) {
  void page;
  void id;
  void waitUntil;
}
