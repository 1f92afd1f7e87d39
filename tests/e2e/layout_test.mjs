// Every width, and the reader (issue 15), in Debian's Chromium through playwright-core, one
// server and one browser for the whole run:
// - documents with long titles the test makes (a 120-character unbroken file name, a long
//   Chinese title in a long category, a 12-page PDF) are uploaded through the API;
// - home, category, document, search, upload, sign-in, 我的文档, 回收站 (mine and the
//   admin's, with a binned document) and every admin tab are
//   loaded at 320, 360, 390, 414, 768, 1024 and 1366 px in Chinese and in English: no page
//   is wider than the window, no image wider than its container, the document page's
//   actions and the header's links inside the window; English says "1 page", not "1 pages";
// - the reader: later page images are fetched only after a scroll, the page-number box and
//   the arrow keys jump, fit-width and actual size, the page text for screen readers, full
//   screen, allow_copy; without JavaScript the page box, 更多相似文档 and the date filter.
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
  // A document with a long title in the recycle bin, so 回收站 (mine and the admin's) has a row.
  const binned = await upload('bin.txt', 'text/plain', Buffer.from('回收站 宽度测试\n'), { title: LONG_ZH_TITLE + '（回收站）' });
  const del = await page.request.delete(`${srv.base}/api/v1/documents/${binned}`, { headers: { 'X-CSRF-Token': csrf } });
  c.expect(del.status() === 204, 'a document moved to the recycle bin: ' + del.status());
  // A report with a long unbroken detail, so the admin's reports table has long cells.
  await page.request.post(`${srv.base}/d/${ids.longTitle}/report`, {
    form: { csrf, reason: 'other', detail: 'D'.repeat(400) },
  });
  await page.goto(`${srv.base}/d/${ids.longName}`);  // a view, so 最多浏览 lists it
  // A public collection with a long name holding the long-titled documents, and favourites,
  // so the collection page and 我的收藏 on /me are measured with long titles too.
  const made = await page.request.post(`${srv.base}/collections`, {
    form: { csrf, name: '很长的专辑名称用来测试窄屏幕下的布局'.repeat(2) + 'Averyveryverylongunbrokencollectionname', description: 'W'.repeat(200), public: '1' },
    maxRedirects: 0,
  });
  const collection = (made.headers().location || '').replace(/^.*\/collections\//, '');
  for (const id of Object.values(ids)) {
    await page.request.put(`${srv.base}/api/v1/collections/${collection}/documents/${id}`, { headers: { 'X-CSRF-Token': csrf } });
    await page.request.put(`${srv.base}/api/v1/documents/${id}/favourite`, { headers: { 'X-CSRF-Token': csrf } });
  }

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
    [page, '/upload/batch?ids=' + Object.values(ids).join(',')],  // batch upload's status list
    [page, '/me'],
    [page, '/me/bin'],
    [page, '/admin/bin'],
    ...['reports', 'review', 'users', 'categories', 'settings', 'stats'].map((t) => [page, '/admin?tab=' + t]),
    [guestPage, '/login'],
    [guestPage, '/register'],
    [page, '/collections/' + collection],
    [guestPage, '/collections/' + collection],
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
    for (const el of document.querySelectorAll('.actions .btn, .reader-bar .btn, .user-nav a, .user-nav button, .search-box button')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && (r.left < 0 || r.right > innerWidth + 0.5)) outside.push(el.textContent.trim());
    }
    return { scroll: document.documentElement.scrollWidth, inner: innerWidth, overflowing, outside };
  };
  let widthFailures = 0;
  // WENKU_LAYOUT_WIDTHS=0 skips the widths (while working on the reader).
  for (const lang of process.env.WENKU_LAYOUT_WIDTHS === '0' ? [] : ['zh-CN', 'en']) {
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
  await ctx.addCookies([{ name: 'wk_lang', value: 'en', url: srv.base }]);
  for (const url of ['/', '/me', '/s?q=' + encodeURIComponent('宽度测试')]) {
    const text = await (await page.goto(srv.base + url)).text();
    c.expect(!/\b1 pages\b/.test(text) && /\b1 page\b/.test(text), `English ${url} says "1 page"`);
    c.expect(!/\b1 results\b/.test(text), `English ${url} never says "1 results"`);
  }
  await ctx.addCookies([{ name: 'wk_lang', value: 'zh-CN', url: srv.base }]);

  // 回收站 at phone and desktop widths (copies in docs/screenshots).
  await page.goto(srv.base + '/me/bin');
  for (const [label, width] of [['phone', 390], ['desktop', 1366]]) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(shots, `bin-${label}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1366, height: 800 });

  await readerChecks(page, browser, srv.base, ids.reader, csrf);
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

// The reader on the document page: lazy page images, page jump (box and arrow keys), zoom,
// the page text for screen readers, full screen, copying per site setting, no JavaScript.
async function readerChecks(page, browser, base, id, csrf) {
  const fetched = new Map();  // page number -> order of the request
  let order = 0;
  const onRequest = (r) => {
    const m = r.url().match(new RegExp(`/api/v1/documents/${id}/pages/(\\d+)(?:\\?|$)`));
    if (m && !fetched.has(Number(m[1]))) fetched.set(Number(m[1]), ++order);
  };
  page.on('request', onRequest);
  await page.setViewportSize({ width: 1366, height: 800 });
  await page.goto(`${base}/d/${id}`);
  await page.waitForTimeout(1500);
  const atLoad = [...fetched.keys()].sort((a, b) => a - b);
  if (!await page.locator('#page-7 .page-text').count()) {
    console.log(await page.evaluate(() => document.getElementById('pages').outerHTML.slice(0, 3000)));
  }
  c.expect(await page.locator('figure.page').count() === READER_PAGES, `the reader shows all ${READER_PAGES} pages`);
  c.expect(atLoad.includes(1) && atLoad.every((n) => n <= 5), 'at load only the first screen\'s page images are fetched: ' + atLoad.join(','));
  c.expect((await page.textContent('#page-7 .page-text')).includes('pageword7'), 'page 7 carries its text');
  const hidden = await page.evaluate(() => document.querySelector('#page-7 .page-text').getBoundingClientRect().height);
  c.expect(hidden <= 1, 'the page text is visually hidden by default');
  await page.screenshot({ path: path.join(shots, 'reader-desktop.png') });

  // The page-number box.
  await page.fill('.reader-bar .page-box', '9');
  await page.press('.reader-bar .page-box', 'Enter');
  await waitUntil(page, () => Math.abs(document.getElementById('page-9').getBoundingClientRect().top) < 5);
  c.expect(true, 'the page box jumps to page 9');
  await waitUntil(page, () => { const i = document.querySelector('#page-9 img'); return i.complete && i.naturalWidth > 0; });
  c.expect(fetched.has(9) && fetched.get(9) > atLoad.length, `page 9's image fetched only after the jump (request ${fetched.get(9)})`);
  // The arrow keys.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('ArrowRight');
  await waitUntil(page, () => Math.abs(document.getElementById('page-10').getBoundingClientRect().top) < 5);
  c.expect(await page.inputValue('.reader-bar .page-box') === '10', 'ArrowRight goes to page 10, the box says 10');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await waitUntil(page, () => Math.abs(document.getElementById('page-8').getBoundingClientRect().top) < 5);
  c.expect(await page.inputValue('.reader-bar .page-box') === '8', 'ArrowLeft twice goes to page 8');
  c.expect(await page.evaluate(() => {
    const bar = document.querySelector('.reader-bar').getBoundingClientRect();
    return bar.top >= -1 && bar.top < 5;
  }), 'the reader bar stays at the top while reading');

  // Zoom (tablets and up; a phone pinches): actual size is the image's own width (the pages
  // scroll inside their box, never the page); fit width brings it back within the column.
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.click('.reader-bar .zoom-actual');
  const actual = await page.evaluate(() => {
    const i = document.querySelector('#page-8 img');
    return { w: i.getBoundingClientRect().width, natural: i.naturalWidth, scroll: document.documentElement.scrollWidth, inner: innerWidth };
  });
  c.expect(Math.abs(actual.w - actual.natural) < 2 && actual.scroll <= actual.inner,
    `actual size: ${actual.w} px = natural ${actual.natural}, page still ${actual.scroll} <= ${actual.inner}`);
  await page.click('.reader-bar .zoom-fit');
  const fit = await page.evaluate(() => {
    const i = document.querySelector('#page-8 img');
    return { w: i.getBoundingClientRect().width, box: i.parentElement.getBoundingClientRect().width };
  });
  c.expect(fit.w <= fit.box + 0.5 && fit.w < actual.natural, `fit width: ${fit.w} <= ${fit.box}`);
  await page.setViewportSize({ width: 1366, height: 800 });

  // The text on request (显示文字), selectable where the site allows copying.
  await page.click('.reader-bar .toggle-text');
  const shown = await page.evaluate(() => {
    const t = document.querySelector('#page-8 .page-text');
    return { h: t.getBoundingClientRect().height, select: getComputedStyle(t).userSelect };
  });
  c.expect(shown.h > 10 && shown.select !== 'none', `显示文字 shows page 8's text, selectable (${shown.h} px, ${shown.select})`);
  // Full screen.
  const fullscreen = await page.isVisible('.reader-bar .full-screen');
  if (fullscreen) {
    await page.click('.reader-bar .full-screen');
    await waitUntil(page, () => document.fullscreenElement && document.fullscreenElement.id === 'reader', null, 5000)
      .then(() => c.expect(true, 'full screen shows the reader'), () => c.expect(false, 'full screen shows the reader'));
    await page.evaluate(() => document.fullscreenElement && document.exitFullscreen());
  } else {
    console.log('note: this Chromium offers no full screen; the button stays hidden');
  }
  page.off('request', onRequest);

  // A site that forbids copying: the text is still there for screen readers, not selectable.
  await page.request.post(`${base}/admin/settings`, { form: { csrf, allow_copy: 'false' } });
  await page.goto(`${base}/d/${id}?text=1`);
  const noCopy = await page.evaluate(() => {
    const t = document.querySelector('#page-2 .page-text');
    return { cls: document.getElementById('pages').className, select: getComputedStyle(t).userSelect, text: t.textContent };
  });
  c.expect(noCopy.cls.includes('no-copy') && noCopy.select === 'none' && noCopy.text.includes('pageword2'),
    `allow_copy=false: the text is shown but not selectable (${noCopy.select})`);
  await page.request.post(`${base}/admin/settings`, { form: { csrf, allow_copy: 'true' } });

  // Without JavaScript: every page is there, and the page box jumps by its anchor.
  const nojs = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const p = await nojs.newPage();
  await p.goto(`${base}/d/${id}`);
  c.expect(await p.locator('figure.page img').count() === READER_PAGES, 'no JS: every page image is in the page');
  await p.fill('.reader-bar .page-box', '6');
  await p.click('.reader-bar button.go');
  await p.waitForURL(/p=6#page-6$/);
  c.expect(await p.evaluate(() => Math.abs(document.getElementById('page-6').getBoundingClientRect().top) < 5),
    'no JS: the page box goes to page 6 by its anchor');
  // 更多相似文档 leads into search; the date filter is a plain form.
  await p.click('.more-like a');
  await p.waitForURL(new RegExp(`/s\\?like=${id}$`));
  c.expect(await p.locator('.like-title').count() === 1, 'no JS: more like this opens search headed by the document');
  await p.goto(`${base}/s?q=${encodeURIComponent('宽度测试')}`);
  const hits = await p.locator('li.hit').count();
  const now = new Date();
  const today = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  await p.fill('.filters input[name=from]', today);
  await p.fill('.filters input[name=to]', today);
  await p.click('.filters button[type=submit]');
  await p.waitForURL(/from=\d{4}-\d\d-\d\d&to=/);
  c.expect(hits > 0 && await p.locator('li.hit').count() === hits, `no JS: uploaded today (${today}) keeps the ${hits} hits`);
  await p.fill('.filters input[name=from]', '2000-01-01');
  await p.fill('.filters input[name=to]', '2000-12-31');
  await p.click('.filters button[type=submit]');
  await p.waitForURL(/from=2000-01-01/);
  c.expect(await p.locator('li.hit').count() === 0, 'no JS: uploaded in 2000 finds nothing');
  await nojs.close();
}
