#!/usr/bin/env python3
"""Conversion + rendering benchmark (bench/README.md "Conversion" and "Rendering").

Makes 50 DOCX files of 2-20 pages from the corpus passages, then times in one run:
  wenku pool     convert_bench: warm LibreOfficeKit helpers, every page rendered + text
  cold soffice   one `soffice --headless --convert-to pdf` per file, then `mutool draw` per file
  one soffice    one soffice process converting all 50 (LibreOffice's own limit)
and rendering alone: render_bench (MuPDF and poppler-cpp in-process) vs `mutool draw -r 100`.
Usage: /usr/bin/python3 bench/convert_bench.py --build BUILD_DIR --corpus CORPUS [--work DIR]
"""
import argparse, json, os, random, shutil, subprocess, sys, tempfile, time, zipfile
from xml.sax.saxutils import escape

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def make_docx(path, title, paragraphs):
    body = '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="36"/></w:rPr><w:t>%s</w:t></w:r></w:p>' % escape(title)
    for p in paragraphs:
        body += '<w:p><w:r><w:rPr><w:lang w:eastAsia="zh-CN"/></w:rPr><w:t>%s</w:t></w:r></w:p>' % escape(p)
    doc = ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           '<w:body>%s</w:body></w:document>' % body)
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        z.writestr('[Content_Types].xml', CT)
        z.writestr('_rels/.rels', RELS)
        z.writestr('word/document.xml', doc)


def timed(cmd, **kw):
    t = time.monotonic()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.monotonic() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--work', default=None)
    ap.add_argument('--docs', type=int, default=50)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix='wenku-convert-bench-')
    src = os.path.join(work, 'docx')
    os.makedirs(src, exist_ok=True)
    passages = [json.loads(l) for l in open(os.path.join(a.corpus, 'text', 'passages.jsonl'), encoding='utf-8')]
    rnd = random.Random(7)
    files = []
    for i in range(a.docs):
        # about 1300 characters per page of 10.5 pt text: 2..20 pages
        target = rnd.randint(2, 20) * 1300
        paras, n = [], 0
        while n < target:
            p = rnd.choice(passages)['text']
            paras.append(p)
            n += len(p)
        path = os.path.join(src, 'doc%02d.docx' % i)
        make_docx(path, '文档 %d' % i, paras)
        files.append(path)
    cores = os.cpu_count()
    print('docs=%d cores=%d work=%s' % (len(files), cores, work))

    # 1. wenku pool: conversion + every page rendered + text, slots = cores
    out = os.path.join(work, 'pool')
    t = time.monotonic()
    r = subprocess.run([os.path.join(a.build, 'convert_bench'), '--slots', str(cores), '--out', out] + files,
                       capture_output=True, text=True)
    pool_s = time.monotonic() - t
    print(r.stdout.strip())
    pdfs = sorted(os.path.join(out, f) for f in os.listdir(out) if f.endswith('.pdf'))

    # 2. cold soffice per file + mutool draw per file, `cores` at a time like a worker pool
    cold = os.path.join(work, 'cold')
    os.makedirs(cold, exist_ok=True)
    def cold_one(i, f):
        prof = 'file://' + os.path.join(work, 'cold-profile-%d' % (i % cores))
        subprocess.run(['soffice', '-env:UserInstallation=' + prof, '--headless', '--convert-to', 'pdf',
                        '--outdir', cold, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pdf = os.path.join(cold, os.path.basename(f)[:-5] + '.pdf')
        subprocess.run(['mutool', 'draw', '-q', '-r', '100', '-o', os.path.join(cold, os.path.basename(f) + '-%d.png'), pdf],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from concurrent.futures import ThreadPoolExecutor
    # warm the profiles first so profile creation is not counted against soffice
    for i in range(cores):
        subprocess.run(['soffice', '-env:UserInstallation=file://' + os.path.join(work, 'cold-profile-%d' % i),
                        '--headless', '--convert-to', 'pdf', '--outdir', os.path.join(work, 'warmup'), files[0]],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t = time.monotonic()
    with ThreadPoolExecutor(cores) as ex:
        list(ex.map(lambda x: cold_one(*x), enumerate(files)))
    cold_s = time.monotonic() - t

    # 3. one soffice for all files (conversion only, single process)
    one = os.path.join(work, 'one')
    t = time.monotonic()
    subprocess.run(['soffice', '-env:UserInstallation=file://' + os.path.join(work, 'cold-profile-0'), '--headless',
                    '--convert-to', 'pdf', '--outdir', one] + files, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    one_s = time.monotonic() - t

    n = len(files)
    print('conversion+rendering per document: wenku_pool=%.3fs cold_soffice+mutool=%.3fs one_soffice_convert_only=%.3fs'
          % (pool_s / n, cold_s / n, one_s / n))
    print('ratio cold/wenku=%.2fx wenku/one_soffice=%.2fx' % (cold_s / pool_s, pool_s / one_s))

    # 4. rendering alone, single core: in-process engines vs mutool draw -r 100 (PNG)
    r = subprocess.run([os.path.join(a.build, 'render_bench'), '--repeat', '2'] + pdfs, capture_output=True, text=True)
    print(r.stdout.strip())
    pages = 0
    t = time.monotonic()
    for _ in range(2):
        for p in pdfs:
            subprocess.run(['mutool', 'draw', '-q', '-r', '100', '-o', os.path.join(work, 'm-%d.png'), p],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    mut_s = time.monotonic() - t
    for p in pdfs:
        out = subprocess.run(['mutool', 'info', p], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith('Pages:'):
                pages += int(line.split()[1])
    print('engine=mutool-draw-r100-png pages=%d seconds=%.2f pages_per_s=%.1f' % (2 * pages, mut_s, 2 * pages / mut_s))
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
