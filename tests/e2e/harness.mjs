// What the browser tests share: a wenku server on a free loopback port with a temporary
// data directory, Debian's Chromium through playwright-core, checks that count, and a
// small PDF maker (so the tests need no corpus).
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const PASSWORD = 'correct horse 1';

export class Checks {
  constructor() {
    this.failures = [];
    this.count = 0;
  }

  expect(cond, message) {
    this.count += 1;
    if (!cond) {
      this.failures.push(message);
      console.log('FAIL ' + message);
    } else {
      console.log('ok   ' + message);
    }
    return cond;
  }
}

export function freePort() {
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
export async function waitUntil(page, fn, arg, timeout = 30000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await page.evaluate(fn, arg)) return;
    await page.waitForTimeout(100);
  }
  throw new Error('timed out waiting for ' + fn.toString());
}

// Starts `wenku serve` on a free port with an admin account `admin`; `settings` are --set
// pairs. Returns {base, tmp, stop()}.
export async function startServer(wenku, settings = []) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wenku-e2e-'));
  const data = path.join(tmp, 'data');
  fs.mkdirSync(data);
  execFileSync(wenku, ['user', 'add', '--data', data, '--admin', 'admin'], { input: PASSWORD + '\n' });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(tmp, 'server.log'), 'w');
  const args = ['serve', '--data', data, '--listen', `127.0.0.1:${port}`];
  for (const s of settings) args.push('--set', s);
  const server = spawn(wenku, args, { stdio: ['ignore', log, log] });
  for (let i = 0; ; i++) {
    if (server.exitCode !== null) throw new Error('server exited; see ' + path.join(tmp, 'server.log'));
    if (i > 300) throw new Error('server did not start');
    try {
      if ((await fetch(base + '/healthz')).ok) break;
    } catch (e) { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  };
  return { base, tmp, stop };
}

const chromeArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// One Chromium; each context (a fresh profile) from browser.newContext.
export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromeArgs, headless: true });
}

// A PDF of `pages` A4 pages, each with its number in large type and a line of words
// naming the page ("wenku reader page 7 pageword7"): Helvetica, no compression.
export function makePdf(pages) {
  const objects = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const kids = [];
  for (let n = 1; n <= pages; n++) {
    const pageObj = 4 + (n - 1) * 2;
    const contentObj = pageObj + 1;
    kids.push(`${pageObj} 0 R`);
    const stream = `BT /F1 96 Tf 240 520 Td (${n}) Tj ET\nBT /F1 18 Tf 72 760 Td (wenku reader page ${n} pageword${n}) Tj ET\n`;
    objects[pageObj] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentObj} 0 R >>`;
    objects[contentObj] = `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}endstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  for (let i = 1; i < objects.length; i++) {
    offsets[i] = Buffer.byteLength(out);
    out += `${i} 0 obj\n${objects[i]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let i = 1; i < objects.length; i++) out += String(offsets[i]).padStart(10, '0') + ' 00000 n \n';
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
