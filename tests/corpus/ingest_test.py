"""Imports the shared corpus with the real `wenku` through ../shared/eval/ingest_corpus.py and
fails unless its summary line meets issue 3's acceptance figures: at least 97% of the
well-formed files ready, at least 98% format agreement, failed_without_reason=0, missing=0,
crashed=no. Skips plainly when the corpus or the evaluation script is not there."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
WENKU = os.environ.get("WENKU_BIN", os.path.join(REPO, "build", "wenku"))

SUMMARY = re.compile(r"^ingest: wellformed_ready=(\d+)/(\d+) format_agree=(\d+)/(\d+) "
                     r"failed_without_reason=(\d+) missing=(\d+) crashed=(.+)$", re.M)


def corpus_dir():
    c = os.environ.get("WENKU_CORPUS")
    if c:
        return c if os.path.isdir(c) else None
    p = os.path.join(REPO, "..", "shared", "corpus")
    return os.path.normpath(p) if os.path.isdir(p) else None


def eval_script(corpus):
    """ingest_corpus.py: $WENKU_EVAL_DIR, else the eval/ folder beside the corpus."""
    for d in (os.environ.get("WENKU_EVAL_DIR"), os.path.join(corpus, "..", "eval"),
              os.path.join(REPO, "..", "shared", "eval")):
        if d and os.path.isfile(os.path.join(d, "ingest_corpus.py")):
            return os.path.normpath(os.path.join(d, "ingest_corpus.py"))
    return None


def parse_summary(output):
    """The figures of the last summary line, or None when there is none."""
    found = SUMMARY.findall(output)
    if not found:
        return None
    ready, wf, agree, agree_total, no_reason, missing, crashed = found[-1]
    return {"ready": int(ready), "wellformed": int(wf), "agree": int(agree),
            "agree_total": int(agree_total), "failed_without_reason": int(no_reason),
            "missing": int(missing), "crashed": crashed.strip()}


class SummaryParsing(unittest.TestCase):
    """The parser must see a bad run as bad (else the corpus test could never fail)."""

    def test_parses_the_figures(self):
        s = parse_summary("x\ningest: wellformed_ready=449/454 format_agree=450/453 "
                          "failed_without_reason=0 missing=0 crashed=no\n")
        self.assertEqual((s["ready"], s["wellformed"], s["agree"], s["agree_total"]),
                         (449, 454, 450, 453))
        self.assertEqual(s["crashed"], "no")

    def test_missing_summary_is_none(self):
        self.assertIsNone(parse_summary("Traceback (most recent call last):\n"))

    def test_crash_is_reported(self):
        s = parse_summary("ingest: wellformed_ready=1/454 format_agree=1/453 "
                          "failed_without_reason=0 missing=453 crashed=exit -11\n")
        self.assertEqual(s["crashed"], "exit -11")
        self.assertEqual(s["missing"], 453)


def record_figures(line):
    """Adds a FIGURES line to the file scripts/test.sh prints at the end of the run."""
    print("FIGURES " + line)
    path = os.environ.get("WENKU_FIGURES_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write("FIGURES " + line + "\n")


class CorpusIngest(unittest.TestCase):
    def test_corpus_meets_the_acceptance_figures(self):
        corpus = corpus_dir()
        if corpus is None:
            self.skipTest("shared corpus not found: set WENKU_CORPUS")
        script = eval_script(corpus)
        if script is None:
            self.skipTest("ingest_corpus.py not found: set WENKU_EVAL_DIR")
        p = subprocess.run([sys.executable, script, "--wenku", WENKU, "--corpus", corpus],
                           capture_output=True, text=True, timeout=3300)
        print(p.stdout[-6000:], file=sys.stderr)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        s = parse_summary(p.stdout)
        self.assertIsNotNone(s, "no summary line in the evaluation's output")
        record_figures("corpus_ingest " + [l for l in p.stdout.splitlines() if l.startswith("ingest:")][-1])
        self.assertEqual(s["crashed"], "no")
        self.assertEqual(s["missing"], 0)
        self.assertEqual(s["failed_without_reason"], 0)
        self.assertGreater(s["wellformed"], 0)
        self.assertGreater(s["agree_total"], 0)
        self.assertGreaterEqual(s["ready"] / s["wellformed"], 0.97,
                                f"well-formed ready {s['ready']}/{s['wellformed']}")
        self.assertGreaterEqual(s["agree"] / s["agree_total"], 0.98,
                                f"format agreement {s['agree']}/{s['agree_total']}")
        # Issue 14: every OFD file of the corpus ready (with its pages).
        ofd = re.findall(r"^ofd: ready=(\d+)/(\d+)$", p.stdout, re.M)
        if ofd:
            record_figures(f"corpus_ingest ofd: ready={ofd[-1][0]}/{ofd[-1][1]}")
            self.assertEqual(ofd[-1][0], ofd[-1][1], "OFD files not all ready")


if __name__ == "__main__":
    unittest.main()
