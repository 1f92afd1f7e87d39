// Watermarks (issue 15) in Debian's Chromium through playwright-core, on a PDF the test makes:
// - an admin sets watermark_text on /admin: the page images are made again in the background
//   and the preview image on the document page carries the watermark (pixels of its seal red,
//   counted on a canvas, where the image without it has none);
// - downloads stay the original's bytes; with watermark_pdf_download on, the download is a
//   different PDF with its own ETag that answers ranges;
// - the text cleared: new renders have no watermark and downloads are the original again.
// usage: node watermark_test.mjs --wenku path/to/wenku
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, makePdf, startServer } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const c = new Checks();

// Pixels of the watermark's colour (render/watermark.h: a translucent seal red) in an image
// of black text on white, counted in the page on a canvas.
function redPixels(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const cv = document.createElement('canvas');
      cv.width = img.naturalWidth;
      cv.height = img.naturalHeight;
      const g = cv.getContext('2d');
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, cv.width, cv.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] - d[i + 2] > 12 && d[i] > 150) n++;
      resolve(n);
    };
    img.onerror = () => reject(new Error('image did not load: ' + src));
    img.src = src + (src.includes('?') ? '&' : '?') + 'nocache=' + Math.random();
  });
}

const srv = await startServer(wenku, []);
const browser = await launchBrowser();
try {
  const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(60000);
  await page.goto(srv.base + '/login');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('.account-form button[type=submit]');
  await page.waitForURL(srv.base + '/');
  const csrf = await page.getAttribute('meta[name=csrf-token]', 'content');

  const pdf = makePdf(2);
  const up = await page.request.post(srv.base + '/api/v1/documents', {
    headers: { 'X-CSRF-Token': csrf },
    multipart: { file: { name: 'watermark.pdf', mimeType: 'application/pdf', buffer: pdf }, title: '水印测试 watermark test' },
  });
  c.expect(up.status() === 202, `upload accepted (${up.status()})`);
  const id = (await up.json()).id;
  for (let i = 0; ; i++) {
    const j = await (await page.request.get(`${srv.base}/api/v1/documents/${id}`)).json();
    if (j.status === 'ready' && j.preview_pages >= 2) break;
    if (j.status === 'failed' || i > 600) throw new Error('not ready: ' + JSON.stringify(j));
    await page.waitForTimeout(200);
  }
  const image = `/api/v1/documents/${id}/pages/1`;
  await page.goto(`${srv.base}/d/${id}`);
  const before = await page.evaluate(redPixels, image);
  c.expect(before < 20, `without a watermark the page image has no seal-red pixels (${before})`);

  const saveSetting = async (key, value) => {
    const r = await page.request.post(srv.base + '/admin/settings', { form: { csrf, [key]: value }, maxRedirects: 0 });
    if (r.status() !== 303 && r.status() !== 302) throw new Error(`saving ${key}: ${r.status()} ${await r.text()}`);
  };
  const waitRed = async (want, what) => {
    let n = -1;
    for (let i = 0; i < 300; i++) {
      n = await page.evaluate(redPixels, image);
      if (want(n)) break;
      await page.waitForTimeout(200);
    }
    c.expect(want(n), `${what} (${n} seal-red pixels)`);
  };

  await saveSetting('watermark_text', '{site} 文档 {id} 水印');
  await waitRed((n) => n > 300, 'after watermark_text is set, the page image is made again with the watermark');
  // The document page's own preview image, as a reader sees it.
  await page.goto(`${srv.base}/d/${id}`);
  const shown = await page.evaluate(() => {
    const img = document.querySelector('#pages img[src*="/pages/1"]') || document.querySelector('#pages img');
    return img ? img.getAttribute('src') || img.dataset.src : '';
  });
  c.expect(!!shown, `the document page shows a preview image (${shown})`);
  if (shown) {
    const n = await page.evaluate(redPixels, shown);
    c.expect(n > 300, `the preview image on the document page carries the watermark (${n} seal-red pixels)`);
  }
  const settingsHtml = await (await page.request.get(srv.base + '/admin?tab=settings')).text();
  c.expect(settingsHtml.includes('{site} 文档 {id} 水印'), 'the admin settings page shows the watermark text');

  // Downloads: the original's bytes by default.
  const download = (headers = {}) => page.request.get(`${srv.base}/api/v1/documents/${id}/download`, { headers });
  let r = await download();
  let body = await r.body();
  c.expect(r.status() === 200 && Buffer.compare(body, pdf) === 0, `a watermarked site's download is still the original, byte for byte (${r.status()}, ${body.length} bytes)`);
  const originalEtag = r.headers()['etag'];

  await saveSetting('watermark_pdf_download', 'true');
  r = await download();
  body = await r.body();
  const etag = r.headers()['etag'];
  c.expect(r.status() === 200 && body.subarray(0, 5).toString() === '%PDF-' && Buffer.compare(body, pdf) !== 0,
    `with watermark_pdf_download on, the download is a different PDF (${r.status()}, ${body.length} bytes)`);
  c.expect(!!etag && etag !== originalEtag, `the watermarked PDF has its own ETag (${etag} vs ${originalEtag})`);
  c.expect((r.headers()['content-disposition'] || '').includes('.pdf'), 'it downloads as a .pdf');
  const again = await download();
  c.expect(Buffer.compare(await again.body(), body) === 0 && again.headers()['etag'] === etag, 'made once: the second download is the same stored copy');
  const part = await download({ Range: 'bytes=10-109' });
  const partBody = await part.body();
  c.expect(part.status() === 206 && partBody.length === 100 && Buffer.compare(partBody, body.subarray(10, 110)) === 0,
    `a Range request on the watermarked PDF answers 206 with those bytes (${part.status()}, ${partBody.length})`);

  await saveSetting('watermark_text', '');
  await waitRed((n) => n < 20, 'after the watermark text is cleared, new renders have no watermark');
  r = await download();
  c.expect(Buffer.compare(await r.body(), pdf) === 0, 'with no watermark text the download is the original again');
  await ctx.close();
} catch (e) {
  c.expect(false, 'exception: ' + (e && e.stack || e));
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
  if (c.failures.length === 0 && !process.env.WENKU_KEEP) fs.rmSync(srv.tmp, { recursive: true, force: true });
  else console.log('kept ' + srv.tmp);
}
console.log(`watermark e2e: ${c.count} checks, ${c.failures.length} failed`);
process.exit(c.failures.length ? 1 : 0);
