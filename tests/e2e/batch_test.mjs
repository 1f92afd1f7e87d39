// Batch upload (issue 15) in Debian's Chromium through playwright-core: a ZIP of 20 files the
// test makes (so it runs on a fresh clone) uploaded through the upload page's batch form
// with one category and tags, ending in 20 status rows that all become ready; hostile ZIPs
// (a name that climbs out, too many entries, a zip bomb) refused whole with a clear message;
// file names with markup shown as text in the rows.
// usage: node batch_test.mjs --wenku path/to/wenku
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Checks, PASSWORD, launchBrowser, startServer, waitUntil } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const wenku = path.resolve(argv[argv.indexOf('--wenku') + 1] || path.join(here, '..', '..', 'build', 'wenku'));
const c = new Checks();

// ZIPs made with Python's zipfile (Debian's python3): entries as [name, text or {zeros: n}].
function makeZip(file, entries) {
  const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    for name, body in json.load(sys.stdin):
        data = b'\\0' * body['zeros'] if isinstance(body, dict) else body.encode('utf-8')
        z.writestr(name, data)
`;
  execFileSync('/usr/bin/python3', ['-c', script, file], { input: JSON.stringify(entries) });
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

  const entries = [];
  for (let i = 1; i <= 20; i++) {
    const name = i === 7 ? 'folder/<img src=x onerror=alert(7)> 第7篇.txt' : `folder/批量文档 ${i}.txt`;
    entries.push([name, `批量上传测试 第 ${i} 篇 batchword${i}\n` + '这是正文。'.repeat(20 + i) + '\n']);
  }
  const good = path.join(srv.tmp, 'twenty.zip');
  makeZip(good, entries);
  const submitBatch = async (zip) => {
    await page.goto(srv.base + '/upload');
    await page.setInputFiles('#batch-form input[type=file]', zip);
    await page.fill('#batch-form input[name=category]', '批量/测试');
    await page.fill('#batch-form input[name=tags]', '批量,zip');
    await Promise.all([page.waitForNavigation(), page.click('#batch-form button[type=submit]')]);
  };
  await submitBatch(good);
  const rows = await page.locator('tr.batch-row').count();
  c.expect(rows === 20, `a ZIP of 20 files gives 20 status rows (${rows})`);
  const html = await page.content();
  c.expect(!html.includes('<img src=x') && (await page.locator('tr.batch-row img').count()) === 0,
    'a file name with markup is shown as text in its row');
  const names = await page.$$eval('tr.batch-row .batch-name', (tds) => tds.map((t) => t.textContent));
  c.expect(names.includes('<img src=x onerror=alert(7)> 第7篇.txt') && names.includes('批量文档 1.txt'),
    'the rows name the files (as text, without their folder)');
  // The rows follow the documents (site.js) until every one is ready.
  await waitUntil(page, () => document.querySelectorAll('tr.batch-row.ready').length === 20, null, 120000)
    .catch(() => {});
  const ready = await page.locator('tr.batch-row.ready').count();
  c.expect(ready === 20, `all 20 rows end ready (${ready})`);
  const ids = await page.$$eval('tr.batch-row[data-id]', (trs) => trs.map((t) => t.getAttribute('data-id')));
  const doc = await (await page.request.get(`${srv.base}/api/v1/documents/${ids[0]}`)).json();
  c.expect(doc.category === '批量/测试' && JSON.stringify(doc.tags || []).includes('zip'),
    `each document has the batch's category and tags (${doc.category}, ${JSON.stringify(doc.tags)})`);
  // Without JavaScript the same list is a plain page.
  const plain = await (await page.request.get(`${srv.base}/upload/batch?ids=${ids.join(',')}`)).text();
  c.expect((plain.match(/class="batch-row /g) || []).length === 20, 'the plain status list page has 20 rows');

  const hostile = [
    ['traversal', [['ok.txt', 'fine'], ['../../etc/evil.txt', 'evil']], /越出|climbs out/],
    ['too many entries', Array.from({ length: 501 }, (_, i) => [`f${i}.txt`, `file ${i}`]), /太多|too many/],
    ['zip bomb', [['bomb.txt', { zeros: 60 << 20 }]], /炸弹|zip bomb|too much/],
  ];
  for (const [what, list, message] of hostile) {
    const zip = path.join(srv.tmp, what.replace(/ /g, '_') + '.zip');
    makeZip(zip, list);
    await submitBatch(zip);
    const error = (await page.locator('#batch-error').textContent().catch(() => '')) || '';
    c.expect(message.test(error) && (await page.locator('tr.batch-row').count()) === 0,
      `a ZIP with ${what} is refused whole with a clear message: "${error}"`);
    const next = Math.max(...ids.map(Number)) + 1;
    const r = await page.request.get(`${srv.base}/api/v1/documents/${next}`);
    c.expect(r.status() === 404, `nothing of the ${what} ZIP was taken (document ${next}: ${r.status()})`);
  }
  await ctx.close();
} catch (e) {
  c.expect(false, 'exception: ' + (e && e.stack || e));
} finally {
  await browser.close().catch(() => {});
  await srv.stop();
  if (c.failures.length === 0 && !process.env.WENKU_KEEP) fs.rmSync(srv.tmp, { recursive: true, force: true });
  else console.log('kept ' + srv.tmp);
}
console.log(`batch e2e: ${c.count} checks, ${c.failures.length} failed`);
process.exit(c.failures.length ? 1 : 0);
