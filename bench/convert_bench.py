#!/usr/bin/env python3
"""Conversion + rendering benchmark (bench/README.md "Conversion" and "Rendering").

Makes 50 DOCX files of 2-20 pages from the corpus passages, then times in one run (--runs N
repeats it and prints the median of each ratio):
  wenku pool     convert_bench: warm LibreOfficeKit helpers, every page rendered + text
  wenku library  the same work in the library's order: ready after conversion, text and the
                 first 5 pages; the rest rendered afterwards by low-priority jobs
  cold soffice   one `soffice --headless --convert-to pdf` per file, then `mutool draw` per file
  one soffice    one soffice process converting all 50 (LibreOffice's own limit)
and rendering alone: render_bench (MuPDF and poppler-cpp in-process) vs `mutool draw -r 100`.
Usage: /usr/bin/python3 bench/convert_bench.py --build BUILD_DIR --corpus CORPUS [--work DIR] [--runs N]
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
    ap.add_argument('--runs', type=int, default=1)
    ap.add_argument('--skip-render', action='store_true', help='only the conversion comparison')
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

    from concurrent.futures import ThreadPoolExecutor
    # warm the cold pipeline's profiles first so profile creation is not counted against soffice
    for i in range(cores):
        subprocess.run(['soffice', '-env:UserInstallation=file://' + os.path.join(work, 'cold-profile-%d' % i),
                        '--headless', '--convert-to', 'pdf', '--outdir', os.path.join(work, 'warmup'), files[0]],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n = len(files)

    def pool(preview_pages):
        out = os.path.join(work, 'pool-%d' % preview_pages)
        shutil.rmtree(out, ignore_errors=True)
        r = subprocess.run([os.path.join(a.build, 'convert_bench'), '--slots', str(cores), '--preview-pages',
                            str(preview_pages), '--out', out] + files, capture_output=True, text=True)
        print(r.stdout.strip())
        kv = dict(x.split('=', 1) for x in r.stdout.split() if '=' in x)
        return out, float(kv['ready_wall_s']), float(kv['wall_s'])

    def cold_one(i, f):
        cold = os.path.join(work, 'cold')
        prof = 'file://' + os.path.join(work, 'cold-profile-%d' % (i % cores))
        subprocess.run(['soffice', '-env:UserInstallation=' + prof, '--headless', '--convert-to', 'pdf',
                        '--outdir', cold, f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pdf = os.path.join(cold, os.path.basename(f)[:-5] + '.pdf')
        subprocess.run(['mutool', 'draw', '-q', '-r', '100', '-o', os.path.join(cold, os.path.basename(f) + '-%d.png'), pdf],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    ratios = []
    for run in range(a.runs):
        # 1. wenku pool, every page of a document rendered right after its conversion
        out, _, all_s = pool(0)
        pdfs = sorted(os.path.join(out, f) for f in os.listdir(out) if f.endswith('.pdf'))
        # 1b. the library's order: ready after text + first 5 pages, the rest at low priority
        _, lib_ready_s, lib_all_s = pool(5)
        # 2. cold soffice per file + mutool draw per file, `cores` at a time like a worker pool
        shutil.rmtree(os.path.join(work, 'cold'), ignore_errors=True)
        os.makedirs(os.path.join(work, 'cold'))
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
        print('run %d per document: wenku_all_pages=%.3fs wenku_library_ready=%.3fs wenku_library_all_pages=%.3fs '
              'cold_soffice+mutool=%.3fs one_soffice_convert_only=%.3fs load=%s'
              % (run, all_s / n, lib_ready_s / n, lib_all_s / n, cold_s / n, one_s / n, os.getloadavg()[0]))
        r = (cold_s / all_s, all_s / one_s, cold_s / lib_ready_s, lib_ready_s / one_s, cold_s / lib_all_s, lib_all_s / one_s)
        ratios.append(r)
        print('run %d ratios: cold/wenku_all=%.2fx wenku_all/one=%.2fx cold/wenku_ready=%.2fx wenku_ready/one=%.2fx '
              'cold/wenku_lib_all=%.2fx wenku_lib_all/one=%.2fx' % ((run,) + r))
    import statistics
    med = [statistics.median(x[i] for x in ratios) for i in range(6)]
    print('median of %d runs: cold/wenku_all=%.2fx wenku_all/one=%.2fx cold/wenku_ready=%.2fx wenku_ready/one=%.2fx '
          'cold/wenku_lib_all=%.2fx wenku_lib_all/one=%.2fx' % ((len(ratios),) + tuple(med)))

    # 4. rendering alone, single core: in-process engines vs mutool draw -r 100 (PNG)
    if a.skip_render:
        return
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
