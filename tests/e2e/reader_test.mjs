// Pages rendered on demand (issue 15, the reader) in Debian's Chromium through playwright-core,
// on a 60-page PDF the test makes, with only the first 3 pages rendered at upload and no
// background rendering of the rest (render_rest=false):
// - a reader jumps to page 50 with the page box: its figure shows the placeholder (正在生成),
//   which is replaced by the page image within 30 s, while pages in between stay unrendered
//   (their image route answers 404 with Retry-After; the rendered prefix stays 3);
// - without JavaScript a page link (?p=40) asks for its page: a reload shows the image.
// usage: node reader_test.mjs --wenku path/to/wenku
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, makePdf, startServer, waitUntil } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const c = new Checks();

const srv = await startServer(wenku, ['preview_pages=3', 'max_preview_pages=60', 'render_rest=false']);
const browser = await launchBrowser();
try {
  const admin = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await admin.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(srv.base + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(srv.base + '/');
  const csrf = await page.getAttribute('meta[name=csrf-token]', 'content');
  const up = await page.request.post(srv.base + '/api/v1/documents', {
    headers: { 'X-CSRF-Token': csrf },
    multipart: { file: { name: 'reader60.pdf', mimeType: 'application/pdf', buffer: makePdf(60) }, title: '按需生成 reader test' },
  });
  c.expect(up.status() === 202, `upload accepted (${up.status()})`);
  const id = (await up.json()).id;
  let doc = null;
  for (let i = 0; ; i++) {
    doc = await (await page.request.get(`${srv.base}/api/v1/documents/${id}`)).json();
    if (doc.status === 'ready' && doc.preview_pages >= 3) break;
    if (doc.status === 'failed' || i > 600) throw new Error('not ready: ' + JSON.stringify(doc));
    await page.waitForTimeout(200);
  }
  c.expect(doc.pages === 60 && doc.preview_pages === 3, `60 pages, 3 rendered at upload (${doc.pages}, ${doc.preview_pages})`);
  const imageStatus = async (n) => {
    const r = await fetch(`${srv.base}/api/v1/documents/${id}/pages/${n}`);
    return { status: r.status, retry: r.headers.get('retry-after') };
  };
  const mid = await imageStatus(20);
  c.expect(mid.status === 404 && Number(mid.retry) > 0, `page 20 not rendered: 404 with Retry-After (${mid.status}, ${mid.retry})`);

  // A guest reader jumps to page 50.
  const guest = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const reader = await guest.newPage();
  reader.setDefaultTimeout(60000);
  await reader.goto(`${srv.base}/d/${id}`);
  await reader.fill('.reader-bar .page-box', '50');
  await reader.click('.reader-bar button.go');
  await reader.waitForSelector('#page-50 .page-placeholder', { timeout: 15000 });
  const jumped = Date.now();
  const label = await reader.textContent('#page-50 .page-placeholder');
  c.expect(label.includes('正在生成'), `page 50 shows the placeholder (${label.trim()})`);
  let replaced = true;
  try {
    await waitUntil(reader, () => {
      const img = document.querySelector('#page-50 img');
      return !!img && img.complete && img.naturalWidth > 0;
    }, null, 30000);
  } catch (e) {
    replaced = false;
  }
  const seconds = ((Date.now() - jumped) / 1000).toFixed(1);
  c.expect(replaced, `page 50's placeholder replaced by its image within 30 s (${seconds} s)`);
  c.expect(await reader.$('#page-50 .page-placeholder') === null, 'no placeholder left on page 50');
  // Pages between the first ones and the reader's stayed unrendered (asking for one now is
  // the first ask: still a 404).
  const between = await imageStatus(30);
  c.expect(between.status === 404, `page 30 not rendered before page 50 (${between.status})`);
  doc = await (await fetch(`${srv.base}/api/v1/documents/${id}`)).json();
  c.expect(doc.preview_pages === 3, `the rendered prefix is still 3 (${doc.preview_pages})`);
  console.log(`figure: page 50 placeholder to image ${seconds} s`);

  // Without JavaScript: the page link asks for its page; a reload shows the image.
  const noJs = await browser.newContext({ locale: 'zh-CN', javaScriptEnabled: false, viewport: { width: 1366, height: 900 } });
  const plain = await noJs.newPage();
  await plain.goto(`${srv.base}/d/${id}?p=40#page-40`);
  c.expect(await plain.$('#page-40 .page-placeholder noscript, #page-40 img') !== null,
    'without JavaScript page 40 is on the page (placeholder with a reload link, or its image)');
  let shown = false;
  for (let i = 0; i < 40 && !shown; i++) {
    await plain.waitForTimeout(1000);
    await plain.reload();  // (a goto of the same URL with its #fragment would not reload)
    shown = (await plain.$('#page-40 img')) !== null;
  }
  c.expect(shown, 'without JavaScript a reload of the page link shows page 40\'s image');
} finally {
  await browser.close();
  await srv.stop();
}
console.log(`${c.count - c.failures.length}/${c.count} checks passed`);
process.exit(c.failures.length ? 1 : 0);
