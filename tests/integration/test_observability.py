"""Watching a running site (issue 13, Observability; acceptance 5): /metrics is scraped
before and after a short load (pages, a document page, searches, a download, an upload that
becomes ready, one that fails, one refused) and its counters, histograms and gauges move as
they should, in text that parses as the Prometheus exposition format; the access log gives
each request its real bytes (a streamed download: the file's size) and duration, as text
or JSON lines; `wenku config` names every setting with its value, source and description."""
import json
import math
import os
import re
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "web"))
import wenku_testlib as w  # noqa: E402
from web_harness import Client  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
SAMPLE = re.compile(r"^(%s)(\{(.*)\})? (\S+)(?: (-?\d+))?$" % NAME)
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def parse_labels(text):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL.match(text, pos)
        if not m:
            raise ValueError("bad labels: %r" % text)
        labels[m.group(1)] = m.group(2).encode().decode("unicode_escape") if "\\" in m.group(2) else m.group(2)
        pos = m.end()
    return labels


def parse_value(v):
    if v in ("+Inf", "-Inf", "NaN"):
        return float(v.replace("Inf", "inf").replace("NaN", "nan"))
    return float(v)


def parse_prometheus(text):
    """Families {name: {"type", "help", "samples": {(sample name, frozenset(labels)): value}}};
    raises ValueError on anything the text exposition format (0.0.4) does not allow."""
    if not text.endswith("\n"):
        raise ValueError("the text does not end with a newline")
    families, current = {}, None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name, _, help_ = line[7:].partition(" ")
            if not re.fullmatch(NAME, name) or name in families:
                raise ValueError("line %d: bad or repeated HELP %r" % (n, line))
            families[name] = current = {"help": help_, "type": None, "samples": {}}
            current["name"] = name
        elif line.startswith("# TYPE "):
            name, _, type_ = line[7:].partition(" ")
            if current is None or current["name"] != name or current["samples"]:
                raise ValueError("line %d: TYPE not right after its HELP" % n)
            if type_ not in ("counter", "gauge", "histogram", "summary", "untyped"):
                raise ValueError("line %d: bad type %r" % (n, type_))
            current["type"] = type_
        elif line.startswith("#") or not line:
            raise ValueError("line %d: unexpected %r" % (n, line))
        else:
            m = SAMPLE.match(line)
            if not m:
                raise ValueError("line %d: not a sample: %r" % (n, line))
            name, labels, value = m.group(1), parse_labels(m.group(3) or ""), parse_value(m.group(4))
            if current is None:
                raise ValueError("line %d: sample before any family" % n)
            base = current["name"]
            allowed = {base}
            if current["type"] == "histogram":
                allowed = {base + "_bucket", base + "_sum", base + "_count"}
            if name not in allowed:
                raise ValueError("line %d: %s outside its family %s" % (n, name, base))
            key = (name, frozenset(labels.items()))
            if key in current["samples"]:
                raise ValueError("line %d: repeated sample" % n)
            current["samples"][key] = value
    for name, f in families.items():
        if f["type"] is None:
            raise ValueError("%s has no TYPE" % name)
        if f["type"] == "counter":
            if not name.endswith("_total"):
                raise ValueError("counter %s does not end in _total" % name)
            if any(v < 0 for v in f["samples"].values()):
                raise ValueError("counter %s is negative" % name)
        if f["type"] == "histogram":
            check_histogram(name, f)
    return families


def check_histogram(name, f):
    series = {}
    for (sample, labels), value in f["samples"].items():
        rest = frozenset((k, v) for k, v in labels if k != "le")
        s = series.setdefault(rest, {"buckets": [], "sum": None, "count": None})
        if sample.endswith("_bucket"):
            le = dict(labels)["le"]
            s["buckets"].append((parse_value(le), value))
        elif sample.endswith("_sum"):
            s["sum"] = value
        else:
            s["count"] = value
    for rest, s in series.items():
        b = sorted(s["buckets"])
        if not b or b[-1][0] != math.inf:
            raise ValueError("%s%s has no +Inf bucket" % (name, dict(rest)))
        if any(b[i][1] > b[i + 1][1] for i in range(len(b) - 1)):
            raise ValueError("%s%s buckets are not cumulative" % (name, dict(rest)))
        if s["count"] != b[-1][1] or s["sum"] is None:
            raise ValueError("%s%s: _count differs from the +Inf bucket, or no _sum" % (name, dict(rest)))


def value(families, name, **labels):
    """A sample's value (0 when the series does not exist yet)."""
    base = re.sub(r"_(bucket|sum|count)$", "", name) if name not in families else name
    f = families.get(base)
    if f is None:
        return 0
    return f["samples"].get((name, frozenset(labels.items())), 0)


class MetricsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = w.TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.data = os.path.join(cls.dir, "data")
        cls.server = w.Server(cls.data).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.__exit__(None, None, None)

    def scrape(self):
        status, body, headers = self.server.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers)
        return parse_prometheus(body.decode())

    def wait_failed_for_good(self, doc_id):
        deadline = time.time() + 60
        while time.time() < deadline:
            m = self.scrape()
            if value(m, "wenku_documents_failed") >= 1 and value(m, "wenku_jobs_running") == 0:
                return
            time.sleep(0.2)

    def test_counters_and_histograms_move_with_a_short_load(self):
        before = self.scrape()
        # The gauges of the library, present from the start.
        for g in ("wenku_documents_ready", "wenku_documents_processing", "wenku_documents_failed",
                  "wenku_jobs_queued", "wenku_jobs_running", "wenku_queue_oldest_job_age_seconds",
                  "wenku_index_documents", "wenku_index_lag_documents", "wenku_index_bytes"):
            self.assertEqual(before[g]["type"], "gauge", g)
        self.assertGreater(value(before, "wenku_index_bytes"), 0)

        text = ("关于规范中小学招生工作的通知。严禁以任何形式举行与招生挂钩的考试，治理择校问题。\n" * 20).encode()
        status, up = self.server.upload("招生通知.txt", text)
        self.assertEqual(status, 202, up)
        doc = self.server.wait_done(up["id"])
        self.assertEqual(doc["status"], "ready", doc)
        garbage = bytes((i * 7919 + 13) % 256 for i in range(4096))
        status, bad = self.server.upload("坏文件.bin", garbage)
        self.assertEqual(status, 202, bad)
        self.assertEqual(self.server.wait_done(bad["id"])["status"], "failed")
        status, _ = self.server.upload("空.txt", b"")
        self.assertGreaterEqual(status, 400)

        for _ in range(3):
            self.assertEqual(self.server.get("/")[0], 200)
        for _ in range(2):
            self.assertEqual(self.server.get(f"/d/{up['id']}")[0], 200)
        q = urllib.parse.quote("择校")
        self.assertEqual(self.server.get("/s?q=" + q)[0], 200)
        self.assertEqual(self.server.get("/api/v1/search?q=" + q)[0], 200)
        status, original, _ = self.server.get(f"/api/v1/documents/{up['id']}/download")
        self.assertEqual((status, original), (200, text))
        self.assertEqual(self.server.get("/no/such/page")[0], 404)
        self.wait_failed_for_good(bad["id"])
        after = self.scrape()

        def moved(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        # Requests by route class and status class, each with its latency histogram.
        for route, status, n in (("page", "2xx", 3), ("document", "2xx", 2), ("search", "2xx", 2),
                                 ("download", "2xx", 1), ("other", "4xx", 1)):
            self.assertEqual(moved("wenku_http_requests_total", route=route, status=status), n, (route, status))
            self.assertEqual(moved("wenku_http_request_duration_seconds_count", route=route, status=status), n)
            self.assertEqual(moved("wenku_http_request_duration_seconds_bucket", route=route, status=status,
                                   le="+Inf"), n)
            self.assertGreater(moved("wenku_http_request_duration_seconds_sum", route=route, status=status), 0)
        self.assertEqual(moved("wenku_http_requests_total", route="api", status="2xx") >= 4, True)
        # The scrape before this one is counted as well (route other).
        self.assertGreaterEqual(moved("wenku_http_requests_total", route="other", status="2xx"), 1)
        # Real bytes: the streamed download is the file's size.
        self.assertEqual(moved("wenku_http_response_bytes_total", route="download"), len(text))
        self.assertGreater(moved("wenku_http_response_bytes_total", route="page"), 3 * 500)
        # Uploads: two accepted (their bytes), one refused.
        self.assertEqual(moved("wenku_uploads_total", outcome="accepted"), 2)
        self.assertEqual(moved("wenku_uploads_total", outcome="refused"), 1)
        self.assertEqual(moved("wenku_upload_bytes_total"), len(text) + len(garbage))
        # Jobs by kind and outcome, with durations; the failure by its reason.
        self.assertGreaterEqual(moved("wenku_jobs_finished_total", kind="extract", outcome="ok"), 1)
        self.assertEqual(moved("wenku_jobs_finished_total", kind="extract", outcome="failed"), 1)
        self.assertEqual(moved("wenku_job_duration_seconds_count", kind="extract", outcome="failed"), 1)
        self.assertGreaterEqual(moved("wenku_job_duration_seconds_bucket", kind="extract", outcome="ok", le="+Inf"), 1)
        self.assertEqual(moved("wenku_conversion_failures_total", reason="unsupported_format", kind="extract"), 1)
        # The library's figures.
        self.assertEqual(moved("wenku_documents_ready"), 1)
        self.assertEqual(moved("wenku_documents_failed"), 1)
        self.assertEqual(moved("wenku_index_documents"), 1)
        # (0, or 1 while the text document's preview step re-indexes its final text)
        self.assertIn(value(after, "wenku_index_lag_documents"), (0, 1))
        self.assertGreaterEqual(value(after, "wenku_queue_oldest_job_age_seconds"), 0)

        # Every family is named in the admin guide's monitoring section.
        with open(os.path.join(SOURCE, "docs", "admin-guide.md"), encoding="utf-8") as f:
            guide = f.read()
        for name in after:
            self.assertIn(name, guide, "docs/admin-guide.md does not name %s" % name)

    def test_parser_refuses_what_prometheus_refuses(self):
        ok = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n"
        self.assertIn("a_total", parse_prometheus(ok))
        for bad in (ok[:-1], "# HELP a_total A.\na_total 1\n# TYPE a_total counter\n", "a_total 1\n",
                    ok.replace("a_total{", "b_total{"), ok.replace(" 3\n", " three\n"),
                    "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n"):
            with self.assertRaises(ValueError, msg=bad):
                parse_prometheus(bad)


class AccessLogTest(unittest.TestCase):
    def run_site(self, extra):
        tmp = w.TempDir()
        d = tmp.__enter__()
        self.addCleanup(tmp.__exit__, None, None, None)
        server = w.Server(os.path.join(d, "data"), extra).start()
        self.addCleanup(server.stop)
        text = ("一行测试文字，用来下载。\n" * 3000).encode()
        status, up = server.upload("下载.txt", text)
        self.assertEqual(status, 202, up)
        server.wait_done(up["id"])
        status, body, _ = server.get(f"/api/v1/documents/{up['id']}/download")
        self.assertEqual((status, len(body)), (200, len(text)))
        status, part, _ = server.get(f"/api/v1/documents/{up['id']}/download", {"Range": "bytes=0-9"})
        self.assertEqual((status, part), (206, text[:10]))
        self.assertEqual(server.get("/d/%d" % up["id"])[0], 200)
        server.stop()
        with open(server.data + ".log", encoding="utf-8", errors="replace") as f:
            return f.read().splitlines(), up["id"], len(text)

    def test_text_line_has_real_bytes_and_duration(self):
        lines, doc_id, size = self.run_site([])
        download = [l for l in lines if "path=/api/v1/documents/%d/download" % doc_id in l]
        self.assertEqual(len(download), 2, lines)
        self.assertIn(" status=206 bytes=10 ", download[1], "a range logs the bytes of the range")
        fields = dict(kv.split("=", 1) for kv in download[0].split(" ") if "=" in kv)
        self.assertEqual(fields["method"], "GET")
        self.assertEqual(fields["status"], "200")
        self.assertEqual(int(fields["bytes"]), size, "a streamed download logs the bytes it sent")
        self.assertGreaterEqual(float(fields["ms"]), 0)
        self.assertEqual(fields["remote"], "127.0.0.1")
        self.assertEqual(fields["route"], "download")
        page = [l for l in lines if " path=/d/%d " % doc_id in l]
        self.assertEqual(len(page), 1)
        self.assertIn("route=document", page[0])
        self.assertGreater(int(re.search(r" bytes=(\d+)", page[0]).group(1)), 500)

    def test_json_lines_are_json(self):
        lines, doc_id, size = self.run_site(["--set", "access_log_format=json"])
        records = [json.loads(l) for l in lines if l.startswith("{")]
        self.assertGreaterEqual(len(records), 4)
        for r in records:
            self.assertEqual(set(r), {"time", "method", "path", "status", "bytes", "ms", "remote", "route"}, r)
            self.assertRegex(r["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIsInstance(r["ms"], (int, float))
        download = [r for r in records if r["path"] == "/api/v1/documents/%d/download" % doc_id]
        self.assertEqual(len(download), 2)
        self.assertEqual((download[1]["status"], download[1]["bytes"]), (206, 10))
        self.assertEqual((download[0]["status"], download[0]["bytes"], download[0]["route"]), (200, size, "download"))
        self.assertFalse([l for l in lines if " http method=" in l], "JSON mode writes no text access lines")

    def test_a_bad_format_is_refused_at_start(self):
        with w.TempDir() as d:
            r = w.run("serve", "--listen", "127.0.0.1:0", "--set", "access_log_format=xml", data=d)
            self.assertEqual(r.returncode, 2)
            self.assertIn(b"access_log_format", r.stderr)
            self.assertIn(b"text,json", r.stderr)


class ConfigCommandTest(unittest.TestCase):
    def test_every_setting_with_value_source_and_description(self):
        with w.TempDir() as d:
            data = os.path.join(d, "data")
            conf = os.path.join(d, "site.conf")
            with open(conf, "w") as f:
                f.write("text_batch = 8\n")
            env = dict(os.environ, WENKU_OCR_DPI="150")
            env.pop("WENKU_WORKERS", None)
            import subprocess
            r = subprocess.run([w.WENKU, "config", "--data", data, "--config", conf, "--set", "workers=3", "--json"],
                               capture_output=True, env=env, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(data, "wenku.db")), "config creates no library")
            out = json.loads(r.stdout)
            rows = {x["name"]: x for x in out["settings"] if x["scope"] == "core"}
            with open(os.path.join(SOURCE, "src", "core", "settings.cpp"), encoding="utf-8") as f:
                declared = re.findall(r'\{"(\w+)", SettingType::k\w+, "([^"]*)"', f.read())
            self.assertEqual(set(rows), {n for n, _ in declared})
            for row in rows.values():
                self.assertTrue(row["description"], row)
            self.assertEqual((rows["workers"]["value"], rows["workers"]["source"]), ("3", "command line"))
            self.assertEqual((rows["text_batch"]["value"], rows["text_batch"]["source"]), ("8", "file"))
            self.assertEqual((rows["ocr_dpi"]["value"], rows["ocr_dpi"]["source"]), ("150", "environment"))
            self.assertEqual((rows["listen"]["value"], rows["listen"]["source"]), ("127.0.0.1:8080", "default"))
            self.assertEqual(rows["access_log_format"]["value"], "text")
            self.assertFalse(out["site_settings"])

            # With a library: the site settings too, each with its source.
            server = w.Server(data).start()
            try:
                # An admin saves one site setting on /admin.
                added = w.run("user", "add", "--admin", "admin", data=data, input=b"config-test-password\n")
                self.assertEqual(added.returncode, 0, added.stderr)
                admin = Client(server.url(""))
                admin.login("admin", "config-test-password")
                self.assertEqual(admin.post_form("/admin/settings", {"icp": "京ICP备12345678号"}).status, 303)
                r = w.run("config", "--json", data=data)
                self.assertEqual(r.returncode, 0, r.stderr)
                site = {x["name"]: x for x in json.loads(r.stdout)["settings"] if x["scope"] == "site"}
                for key in ("site_name", "footer_text", "icp", "download_who", "max_upload_mb",
                            "review_before_publish", "allow_guest_upload"):
                    self.assertIn(key, site)
                    self.assertTrue(site[key]["description"])
                self.assertEqual((site["download_who"]["value"], site["download_who"]["source"]), ("guests", "default"))
                self.assertEqual((site["site_name"]["value"], site["site_name"]["source"]), ("wenku 文库", "core"))
                self.assertEqual((site["icp"]["value"], site["icp"]["source"], site["icp"]["origin"]),
                                 ("京ICP备12345678号", "site", "/admin"))
                text = w.run("config", data=data)
                self.assertEqual(text.returncode, 0)
                out_text = text.stdout.decode()
                self.assertRegex(out_text, r"(?m)^workers +=")
                self.assertIn("# site settings", out_text)
                self.assertRegex(out_text, r"(?m)^download_who += guests +\[default\]")
            finally:
                server.stop()


if __name__ == "__main__":
    unittest.main()
