// End-to-end test of the web site in Debian's Chromium (headless, through playwright-core):
// register -> upload the reference document through the page, watching the progress bar ->
// its page (格式 DOCX, masked uploader, 文档编号, 第1页 / 共N页, numbered excerpts) ->
// 点击查看更多 -> search 择校 lists it with the right page -> 举报 -> an admin hides it ->
// gone from search, its page, its images and the sitemap for everyone else. Also reads and
// searches with JavaScript off, and saves screenshots at phone and desktop widths.
// usage: node e2e_test.mjs --wenku path/to/wenku
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(repo, 'build', 'wenku'));
const corpus = process.env.WENKU_CORPUS || path.resolve(repo, '..', 'shared', 'corpus');
const shots = path.join(here, 'screenshots');
fs.mkdirSync(shots, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wenku-e2e-'));
// The reference document: the corpus's seed (a DOCX named .doc) when the corpus is there,
// else a 4-page speech the test makes (tests/support/fixtures.py: DOCX under a .doc name,
// 择校 on page 2), so the suite runs on a fresh clone too.
let reference = path.join(corpus, 'seed', '市教育局机关汇报总结会讲话稿.doc');
if (fs.existsSync(reference)) {
  console.log(`reference document: ${reference} (shared corpus)`);
} else {
  const made = path.join(tmp, '教育系统工作总结会讲话稿.doc');
  execFileSync('/usr/bin/python3', [path.join(repo, 'tests', 'support', 'fixtures.py'), 'reference', made]);
  console.log(`reference document: made by tests/support/fixtures.py (no corpus at ${corpus})`);
  reference = made;
}
const referenceName = path.basename(reference);
const data = path.join(tmp, 'data');
const PASSWORD = 'correct horse 1';
const MEMBER = 'zhangsan';
const failures = [];
let checks = 0;
function expect(cond, message) {
  checks += 1;
  if (!cond) {
    failures.push(message);
    console.log('FAIL ' + message);
  } else {
    console.log('ok   ' + message);
  }
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Polls a predicate with page.evaluate: page.waitForFunction compiles its predicate with
// eval inside the page, which the site's Content-Security-Policy (no unsafe-eval) refuses.
async function waitUntil(page, fn, arg, timeout = 30000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await page.evaluate(fn, arg)) return;
    await page.waitForTimeout(100);
  }
  throw new Error('timed out waiting for ' + fn.toString());
}

async function waitHealthy(base, server) {
  for (let i = 0; i < 300; i++) {
    if (server.exitCode !== null) throw new Error('server exited');
    try {
      const r = await fetch(base + '/healthz');
      if (r.ok) return;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

const chromeArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function browserContext(options) {
  // A fresh --user-data-dir per browser.
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', args: chromeArgs, headless: true, locale: 'zh-CN',
    viewport: { width: 1280, height: 900 }, ...options,
  });
}

async function screenshot(page, name) {
  for (const [label, width] of [['phone', 390], ['desktop', 1366]]) {
    await page.setViewportSize({ width, height: label === 'phone' ? 844 : 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: path.join(shots, `${name}-${label}.png`), fullPage: name !== 'document' });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
fs.mkdirSync(data);
execFileSync(wenku, ['user', 'add', '--data', data, '--admin', 'admin'], { input: PASSWORD + '\n' });
const log = fs.openSync(path.join(tmp, 'server.log'), 'w');
const server = spawn(wenku, ['serve', '--data', data, '--listen', `127.0.0.1:${port}`,
  // One --set per run: the option parser keeps the last of repeated options.
  '--set', 'preview_pages=2'], { stdio: ['ignore', log, log] });
let ctx = null;
try {
  await waitHealthy(base, server);
  ctx = await browserContext({});
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(60000);

  // Register.
  await page.goto(base + '/register');
  await page.fill('input[name=name]', MEMBER);
  await page.fill('input[name=password]', PASSWORD);
  await page.fill('input[name=password2]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(base + '/');
  expect(await page.locator('a.me-link').count() === 1, 'registered and signed in');

  // Upload through the page, watching the progress bar.
  await page.goto(base + '/upload');
  await screenshot(page, 'upload');
  await page.setInputFiles('#upload-form input[type=file]', reference);
  await page.fill('input[name=category]', '办公文档/事务文书');
  const states = new Set();
  await page.exposeFunction('wenkuProgress', (s) => states.add(s));
  await page.evaluate(() => {
    new MutationObserver(() => {
      const bar = document.querySelector('.upload-item progress');
      const st = document.querySelector('.upload-state');
      if (bar && st) window.wenkuProgress(`${bar.className}:${bar.value}:${st.textContent}`);
    }).observe(document.getElementById('upload-list'), { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.click('#upload-form button[type=submit]');
  await page.waitForSelector('.upload-item progress');
  await page.waitForURL(/\/d\/\d+$/, { timeout: 180000 });
  const seen = [...states];
  expect(seen.some((s) => s.startsWith('bytes:') || s.includes('正在上传')) || seen.some((s) => s.startsWith('processing:')),
    'progress bar showed the upload: ' + seen.slice(0, 3).join(' | '));
  expect(seen.some((s) => s.includes('正在处理')), 'progress bar showed processing');
  expect(seen.some((s) => s.includes('完成')), 'progress bar reached 完成');
  const id = Number(page.url().match(/\/d\/(\d+)$/)[1]);

  // The document page.
  await page.waitForSelector('figure.page img');
  expect((await page.textContent('.format')).trim() === 'DOCX', '格式 DOCX (detected from the content of a .doc file)');
  expect((await page.textContent('.uploader')).trim() === 'z******n', '上传人 masked: ' + await page.textContent('.uploader'));
  expect((await page.textContent('.doc-id')).trim() === String(id), '文档编号 ' + id);
  const caption = (await page.textContent('figure.page figcaption')).trim();
  const total = Number((await page.textContent('.pages')).trim());
  expect(total >= 3 && caption === `第1页 / 共${total}页`, 'caption ' + caption);
  expect(await page.getAttribute('figure.page img', 'alt') === `${referenceName}_第1页`, 'alt 标题_第N页');
  expect((await page.textContent('.excerpt .n')).trim() === '1、', 'numbered excerpts');
  expect(await page.locator('.excerpt').count() >= 3, 'several excerpts');
  expect((await page.textContent('.breadcrumb')).includes('事务文书'), 'breadcrumb');
  expect(await page.locator('figure.page').count() === 2, 'first preview_pages (2) pages shown');
  await screenshot(page, 'document');
  // 点击查看更多 shows the next pages.
  await page.click('a.more-pages');
  await waitUntil(page, (n) => document.querySelectorAll('figure.page').length === n, total);
  const img3 = page.locator('#page-3 img');
  await img3.scrollIntoViewIfNeeded();
  await waitUntil(page, () => { const i = document.querySelector('#page-3 img'); return !!(i && i.complete && i.naturalWidth > 0); });
  expect(await page.locator('figure.page').count() === total, '点击查看更多 shows all pages');
  expect((await page.textContent('#page-3 figcaption')).trim() === `第3页 / 共${total}页`, 'caption of page 3');

  // Search 择校 lists it with the right page.
  let rightPages = [];
  for (let n = 1; n <= total; n++) {
    const r = await page.request.get(`${base}/api/v1/documents/${id}/text?page=${n}`);
    if ((await r.text()).includes('择校')) rightPages.push(n);
  }
  await page.goto(base + '/');
  await page.fill('header input[name=q]', '择校');
  await page.press('header input[name=q]', 'Enter');
  await page.waitForURL(/\/s\?q=/);
  const hit = page.locator(`li.hit:has(a.title[href^="/d/${id}?"])`);
  expect(await hit.count() === 1, 'search 择校 lists the document');
  const matchPages = await hit.locator('a.match-page').allTextContents();
  expect(rightPages.length > 0 && matchPages.some((t) => rightPages.includes(Number(t.match(/\d+/)[0]))),
    `matching pages ${matchPages.join(',')} include a page with 择校 (${rightPages.join(',')})`);
  expect(await hit.locator('.snippet em').count() > 0, 'highlighted snippet');
  await screenshot(page, 'search');
  await page.goto(base + '/');
  await screenshot(page, 'home');

  // JavaScript off: reading and searching still work.
  {
    const nojs = await browserContext({ javaScriptEnabled: false });
    const p = nojs.pages()[0] || await nojs.newPage();
    await p.goto(`${base}/d/${id}`);
    expect(await p.locator('figure.page').count() === 2, 'no JS: first pages');
    await p.click('a.more-pages');
    await p.waitForURL(/all=1/);
    expect(await p.locator('figure.page').count() === total, 'no JS: 点击查看更多 link shows all pages');
    await p.click('summary');
    expect(await p.locator('.excerpt').count() >= 3, 'no JS: 资源描述');
    await p.fill('header input[name=q]', '择校');
    await p.press('header input[name=q]', 'Enter');
    await p.waitForURL(/\/s\?q=/);
    expect(await p.locator(`a.title[href^="/d/${id}?"]`).count() === 1, 'no JS: search finds it');
    await nojs.close();
  }

  // 举报.
  await page.goto(`${base}/d/${id}`);
  await page.click('a.report-link');
  await page.check('input[name=reason][value=copyright]');
  await page.fill('textarea[name=detail]', '这是我的作品');
  await page.click('.report-form button[type=submit]');
  await page.waitForSelector('text=感谢举报');
  expect(true, '举报 sent');

  // The admin sees the report and hides the document.
  await page.click('.user-nav button:has-text("退出")');
  await page.waitForURL(base + '/');
  await page.goto(base + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(base + '/');
  await page.goto(base + '/admin');
  const row = page.locator(`tr.report-row[data-doc="${id}"]`);
  expect(await row.count() === 1, 'admin sees the report');
  expect((await row.locator('.reason').textContent()).trim() === '侵权', 'report reason 侵权');
  await screenshot(page, 'admin');
  await row.locator('button.hide-doc').click();
  await page.waitForURL(/tab=reports/);
  expect(await page.locator(`tr.report-row[data-doc="${id}"]`).count() === 0, 'report resolved');
  await page.goto(base + '/admin?tab=stats');
  expect(await page.locator('.chart svg').count() >= 5, 'statistics charts drawn as SVG');
  await screenshot(page, 'admin-stats');
  await page.click('.user-nav button:has-text("退出")');
  await page.waitForURL(base + '/');

  // Gone for everyone else: search, page, images, sitemap.
  await page.goto(base + '/s?q=' + encodeURIComponent('择校'));
  expect(await page.locator(`a.title[href^="/d/${id}?"]`).count() === 0, 'gone from search');
  const docResp = await page.goto(`${base}/d/${id}`);
  expect(docResp.status() === 404, 'its page is 404: ' + docResp.status());
  const imgResp = await page.request.get(`${base}/api/v1/documents/${id}/pages/1`);
  expect(imgResp.status() === 404, 'its images are 404: ' + imgResp.status());
  const thumbResp = await page.request.get(`${base}/api/v1/documents/${id}/pages/1?size=thumb`);
  expect(thumbResp.status() === 404, 'its thumbnail is 404');
  const sitemap = await (await page.request.get(`${base}/sitemap.xml`)).text();
  expect(!sitemap.includes(`/d/${id}<`), 'gone from the sitemap');
  const api = await page.request.get(`${base}/api/v1/search?q=${encodeURIComponent('择校')}`);
  expect(!(await api.json()).hits.some((h) => h.id === id), 'gone from the search API');
} catch (e) {
  failures.push('exception: ' + (e && e.stack || e));
  console.log('FAIL exception: ' + (e && e.stack || e));
} finally {
  if (ctx) await ctx.close().catch(() => {});
  server.kill('SIGTERM');
  await new Promise((r) => server.exitCode !== null ? r() : server.once('exit', r));
  if (failures.length === 0 && !process.env.WENKU_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
  else console.log('kept ' + tmp);
}
console.log(`e2e: ${checks} checks, ${failures.length} failed; screenshots in ${shots}`);
process.exit(failures.length ? 1 : 0);
