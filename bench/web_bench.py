#!/usr/bin/env python3
"""Web benchmark (bench/README.md "Web"): the reference document's page /d/1 and its first page
image, served by wenku alone (embedded) and through nginx with X-Accel-Redirect, against nginx
serving the same file itself, in one run.

  python3 bench/web_bench.py --wenku BUILD/wenku --corpus ../shared/corpus [--runs 3] [--seconds 30]

1. Imports the reference document (seed/市教育局机关汇报总结会讲话稿.doc) into a fresh data
   directory with `wenku import`.
2. Embedded: `wenku serve` with the default settings; `wrk` on /api/v1/documents/1/pages/1
   (wenku sends the bytes itself). Stopped.
3. Behind nginx: `wenku serve` with trusted_proxies=127.0.0.1 and accel_redirect=true, and
   nginx-light (2 workers, access log off, sendfile on, plain HTTP) with the proxy and internal
   location of deploy/nginx/wenku.conf (upstream keepalive, `internal` alias of the blob
   directory, open_file_cache) plus a public location serving the same blob directory
   directly, with the same open_file_cache. Each run:
   `wrk -t2 -c64 -dSECONDS --latency` on /d/1 from wenku, /d/1 through nginx, the page image
   through nginx (wenku checks, nginx sends) and the same file from nginx directly, one after
   the other; prints requests/s, p99 and the ratios of that run (image accel / nginx direct,
   /d/1 through nginx / direct); at the end the median of each figure over the runs.
Guests without cookies (wrk sends none), no gzip (wrk sends no Accept-Encoding), no nginx cache.
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


def start_wenku(binary, data, port, extra_env):
    env = dict(os.environ, WENKU_LOG_LEVEL='warn', **extra_env)
    server = subprocess.Popen([binary, 'serve', '--data', data, '--listen', '127.0.0.1:%d' % port],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_http('http://127.0.0.1:%d/healthz' % port)
    return server


def stop(proc):
    if proc and proc.poll() is None:
        proc.terminate()
        proc.wait()


def nginx_conf(root, nport, wport, blobs):
    user = 'user root root;\n' if os.geteuid() == 0 else ''  # workers must read the data directory
    return ('%sworker_processes 2; pid %s/nginx.pid; error_log %s/logs/error.log; daemon off;\n'
            'events { worker_connections 1024; }\n'
            'http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;\n'
            '  default_type application/octet-stream;\n'
            '  client_body_temp_path %s/tmp; proxy_temp_path %s/tmp;\n'
            '  upstream wenku { server 127.0.0.1:%d; keepalive 64; }\n'
            '  server { listen 127.0.0.1:%d;\n'
            '    proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;\n'
            '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n'
            '    proxy_set_header X-Forwarded-Proto $scheme; proxy_cache off;\n'
            '    location / { proxy_pass http://wenku; }\n'
            '    location /_wenku_blobs/ { internal; alias %s/;\n'
            '      open_file_cache max=10000 inactive=60s; open_file_cache_valid 300s; }\n'
            '    location /direct/ { alias %s/;\n'
            '      open_file_cache max=10000 inactive=60s; open_file_cache_valid 300s; } } }\n'
            % (user, root, root, root, root, wport, nport, blobs, blobs))


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
    # nginx's workers drop root for `nobody`: they must be able to reach the blob directory.
    os.chmod(work, 0o755)
    data = os.path.join(work, 'data')
    shutil.rmtree(data, ignore_errors=True)
    seed = os.path.join(a.corpus, 'seed', '市教育局机关汇报总结会讲话稿.doc')
    subprocess.run([a.wenku, 'import', '--data', data, seed], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = 'http://127.0.0.1:%d' % port
    image_path = '/api/v1/documents/1/pages/1'
    server = nginx = None
    try:
        # Embedded: wenku sends the image itself.
        server = start_wenku(a.wenku, data, port, {})
        image = wait_http(base + image_path)
        embedded = wrk(base + image_path, a.seconds, a.connections)
        print('embedded image bytes=%d: %.0f req/s p99 %.1f ms (non-2xx %d)' % (len(image), *embedded), flush=True)
        stop(server)
        # Behind nginx: wenku checks, nginx sends.
        server = start_wenku(a.wenku, data, port, {'WENKU_TRUSTED_PROXIES': '127.0.0.1',
                                                   'WENKU_ACCEL_REDIRECT': 'true'})
        with urllib.request.urlopen(base + image_path) as r:
            target = r.headers['X-Accel-Redirect']
        blobs = os.path.join(os.path.abspath(data), 'blobs')
        root = os.path.join(work, 'nginx')
        for d in ('logs', 'tmp'):
            os.makedirs(os.path.join(root, d), exist_ok=True)
        for d in (data, blobs):  # the workers (nobody, unless root) read the blob files
            os.chmod(d, 0o755)
        nport = free_port()
        with open(os.path.join(root, 'nginx.conf'), 'w') as f:
            f.write(nginx_conf(root, nport, port, blobs))
        nginx = subprocess.Popen(['nginx', '-c', os.path.join(root, 'nginx.conf'), '-p', root],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        nbase = 'http://127.0.0.1:%d' % nport
        direct = nbase + '/direct/' + target[len('/_wenku_blobs/'):]
        assert wait_http(direct) == image
        assert wait_http(nbase + image_path) == image, 'X-Accel-Redirect did not bring the image'
        print('image bytes=%d wenku=%s nginx=%s direct=%s' % (len(image), base, nbase, direct))
        keys = ('page', 'page_nginx', 'accel', 'direct')
        rows = {k: [] for k in keys + ('image_ratio', 'page_ratio')}
        for run in range(a.runs):
            r = dict(zip(keys, (wrk(base + '/d/1', a.seconds, a.connections),
                                wrk(nbase + '/d/1', a.seconds, a.connections),
                                wrk(nbase + image_path, a.seconds, a.connections),
                                wrk(direct, a.seconds, a.connections))))
            for k in keys:
                rows[k].append(r[k])
            rows['image_ratio'].append(r['accel'][0] / r['direct'][0])
            rows['page_ratio'].append(r['page_nginx'][0] / r['page'][0])
            print('run %d load=%.1f: /d/1 %.0f req/s p99 %.1f ms (non-2xx %d) | /d/1 via nginx %.0f req/s p99 %.1f ms '
                  '(non-2xx %d) | image accel %.0f req/s p99 %.1f ms (non-2xx %d) | nginx direct %.0f req/s p99 '
                  '%.1f ms (non-2xx %d) | accel/direct %.2f | page nginx/direct %.2f'
                  % (run, os.getloadavg()[0], *r['page'], *r['page_nginx'], *r['accel'], *r['direct'],
                     rows['image_ratio'][-1], rows['page_ratio'][-1]), flush=True)
        med = lambda k, i: statistics.median(x[i] for x in rows[k])
        print('median of %d runs: /d/1 %.0f req/s p99 %.1f ms | /d/1 via nginx %.0f req/s p99 %.1f ms | '
              'image accel %.0f req/s p99 %.1f ms | nginx direct %.0f req/s p99 %.1f ms | accel/direct %.2f | '
              'page nginx/direct %.2f | embedded image %.0f req/s p99 %.1f ms'
              % (a.runs, med('page', 0), med('page', 1), med('page_nginx', 0), med('page_nginx', 1),
                 med('accel', 0), med('accel', 1), med('direct', 0), med('direct', 1),
                 statistics.median(rows['image_ratio']), statistics.median(rows['page_ratio']),
                 embedded[0], embedded[1]))
    finally:
        stop(server)
        stop(nginx)
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
