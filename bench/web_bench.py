#!/usr/bin/env python3
"""Web benchmark (bench/README.md "Web"): the reference document's page /d/1 and its first page
image served by wenku, and the same image file served by nginx-light, in one run.

  python3 bench/web_bench.py --wenku BUILD/wenku --corpus ../shared/corpus [--runs 3] [--seconds 30]

1. Imports the reference document (seed/市教育局机关汇报总结会讲话稿.doc) into a fresh data
   directory with `wenku import`, then starts `wenku serve` on a free port.
2. Copies the page image wenku serves into an nginx root and starts nginx (2 workers, access
   log off, sendfile on) on another free port.
3. Each run: `wrk -t2 -c64 -dSECONDS --latency` on /d/1, on /api/v1/documents/1/pages/1 and
   on nginx's copy, one after the other; prints requests/s, p99, and the image ratio
   wenku/nginx of that run; at the end the median of each figure over the runs.
Guests without cookies (wrk sends none), no gzip (wrk sends no Accept-Encoding).
"""
import argparse, os, re, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_http(url, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except Exception:
            time.sleep(0.2)
    raise SystemExit('no answer from ' + url)


def to_ms(value, unit):
    return float(value) * {'us': 0.001, 'ms': 1.0, 's': 1000.0}[unit]


def wrk(url, seconds, connections):
    out = subprocess.run(['wrk', '-t2', '-c%d' % connections, '-d%ds' % seconds, '--latency', url],
                         capture_output=True, text=True).stdout
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    m = re.search(r'99%\s+([\d.]+)(us|ms|s)', out)
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    return rps, to_ms(m.group(1), m.group(2)), int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--wenku', required=True)
    ap.add_argument('--corpus', required=True)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--seconds', type=int, default=30)
    ap.add_argument('--connections', type=int, default=64)
    ap.add_argument('--work', default=None)
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix='wenku-web-bench-')
    # nginx's workers drop root for `nobody`: they must be able to reach the copied image.
    os.chmod(work, 0o755)
    data = os.path.join(work, 'data')
    shutil.rmtree(data, ignore_errors=True)
    seed = os.path.join(a.corpus, 'seed', '市教育局机关汇报总结会讲话稿.doc')
    subprocess.run([a.wenku, 'import', '--data', data, seed], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([a.wenku, 'serve', '--data', data, '--listen', '127.0.0.1:%d' % port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nginx = None
    try:
        base = 'http://127.0.0.1:%d' % port
        wait_http(base + '/healthz')
        image = wait_http(base + '/api/v1/documents/1/pages/1')
        root = os.path.join(work, 'nginx')
        os.makedirs(os.path.join(root, 'html'), exist_ok=True)
        os.makedirs(os.path.join(root, 'logs'), exist_ok=True)
        with open(os.path.join(root, 'html', 'p1.webp'), 'wb') as f:
            f.write(image)
        nport = free_port()
        with open(os.path.join(root, 'nginx.conf'), 'w') as f:
            f.write('worker_processes 2; pid %s/nginx.pid; error_log %s/logs/error.log; daemon off;\n'
                    'events { worker_connections 1024; }\n'
                    'http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n'
                    '  types { image/webp webp; }\n'
                    '  server { listen 127.0.0.1:%d; root %s/html; } }\n' % (root, root, nport, root))
        nginx = subprocess.Popen(['nginx', '-c', os.path.join(root, 'nginx.conf'), '-p', root],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        nurl = 'http://127.0.0.1:%d/p1.webp' % nport
        assert wait_http(nurl) == image
        print('image bytes=%d wenku=%s nginx=%s' % (len(image), base, nurl))
        rows = {'page': [], 'image': [], 'nginx': [], 'ratio': []}
        for run in range(a.runs):
            page = wrk(base + '/d/1', a.seconds, a.connections)
            img = wrk(base + '/api/v1/documents/1/pages/1', a.seconds, a.connections)
            ngx = wrk(nurl, a.seconds, a.connections)
            rows['page'].append(page)
            rows['image'].append(img)
            rows['nginx'].append(ngx)
            rows['ratio'].append(img[0] / ngx[0])
            print('run %d load=%.1f: /d/1 %.0f req/s p99 %.1f ms (non-2xx %d) | image %.0f req/s p99 %.1f ms '
                  '(non-2xx %d) | nginx %.0f req/s p99 %.1f ms | image/nginx %.2f'
                  % (run, os.getloadavg()[0], page[0], page[1], page[2], img[0], img[1], img[2], ngx[0], ngx[1],
                     img[0] / ngx[0]), flush=True)
        med = lambda k, i: statistics.median(r[i] for r in rows[k])
        print('median of %d runs: /d/1 %.0f req/s p99 %.1f ms | image %.0f req/s p99 %.1f ms | nginx %.0f req/s '
              'p99 %.1f ms | image/nginx %.2f' % (a.runs, med('page', 0), med('page', 1), med('image', 0),
                                                  med('image', 1), med('nginx', 0), med('nginx', 1),
                                                  statistics.median(rows['ratio'])))
    finally:
        server.terminate()
        server.wait()
        if nginx:
            nginx.terminate()
            nginx.wait()
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
