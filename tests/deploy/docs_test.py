"""The administrator's documents stay true to the code (issue 13): the README names every core
setting of src/core/settings.cpp, with its default, in both its Chinese and English parts, and
every command of `wenku --help` (src/cli/main.cpp); SECURITY.md names only tests that exist,
calls WILL_FAIL only tests registered so, and names every fuzz target; the admin guide names
every metric /metrics exports."""
import os
import re
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(*parts):
    with open(os.path.join(SOURCE, *parts), encoding="utf-8") as f:
        return f.read()


class Documents(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.readme = read("README.md")
        cls.zh, _, cls.en = cls.readme.partition("# wenku (English)")
        cls.security = read("SECURITY.md")

    def test_every_setting_with_its_default_in_both_languages(self):
        specs = re.findall(r'\{"(\w+)", SettingType::k\w+, "([^"]*)"', read("src", "core", "settings.cpp"))
        self.assertGreaterEqual(len(specs), 22)
        for part, label in ((self.zh, "Chinese"), (self.en, "English")):
            for name, default in specs:
                row = re.search(r"^\| `%s` \| ([^|]*)\|" % name, part, re.M)
                self.assertIsNotNone(row, "README (%s) has no row for setting %s" % (label, name))
                self.assertIn(default, row.group(1).replace("`", ""),
                              "README (%s): %s's default is %s" % (label, name, default))

    def test_every_command(self):
        commands = re.findall(r'"  (\w+) {2,}', read("src", "cli", "main.cpp"))
        self.assertIn("backup", commands)
        block = self.zh[self.zh.index("## 命令行"):]
        for c in commands:
            self.assertRegex(block, r"(?m)^wenku %s\b" % c, "README's command list lacks %s" % c)
            self.assertIn("`%s" % c, self.en[self.en.index("## Commands"):], "English part lacks %s" % c)

    def test_security_names_only_real_tests(self):
        cmake = read("tests", "reliability", "CMakeLists.txt")
        registered = set(re.findall(r"wenku_reliability_test\((\w+) \S+ (fast|slow)", cmake))
        names = {"reliability_%s_%s" % r for r in registered} | set(re.findall(r"NAME (reliability_\w+)", cmake))
        for test in set(re.findall(r"reliability_\w+", self.security)):
            self.assertIn(test, names, "SECURITY.md names %s, which is not registered" % test)
        will_fail = set(re.findall(r"set_tests_properties\((\w+) PROPERTIES[^)]*WILL_FAIL TRUE", cmake))
        for sentence in re.split(r"(?<=[.;:])\s", self.security):
            if "WILL_FAIL" in sentence:
                for test in re.findall(r"reliability_\w+", sentence):
                    self.assertIn(test, will_fail, "SECURITY.md says %s is WILL_FAIL; CMake does not" % test)
        targets = re.search(r"set\(WENKU_FUZZ_TARGETS ([^)]*)\)", read("tests", "fuzz", "CMakeLists.txt")).group(1).split()
        fuzz_row = next(l for l in self.security.splitlines() if l.startswith("| `tests/fuzz/`"))
        words = {"detect": "detection", "extract": "extractors", "zip": "ZIP", "ole2": "OLE2",
                 "text_decode": "text decoding", "multipart": "multipart", "manifest": "manifest",
                 "query": "query"}
        for t in targets:
            self.assertIn(words.get(t, t), fuzz_row, "SECURITY.md's fuzz row does not name %s" % t)

    def test_admin_guide_names_every_metric(self):
        # The gauges of /metrics and the series the code registers (integration_observability
        # also checks every family a live scrape shows).
        metrics = set(re.findall(r'gauge\("(wenku_\w+)"', read("src", "http", "api_routes.cpp")))
        for parts in (("http", "request_log.cpp"), ("http", "request_helpers.cpp"), ("jobs", "worker_pool.cpp"),
                      ("library", "library.cpp")):
            metrics |= set(re.findall(r'(?:counter|histogram)\(\s*"(wenku_\w+)"', read("src", *parts)))
        self.assertGreaterEqual(len(metrics), 15)
        guide = read("docs", "admin-guide.md")
        for m in metrics:
            self.assertIn(m, guide)


if __name__ == "__main__":
    unittest.main()
