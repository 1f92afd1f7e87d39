"""Crash consistency of `wenku import` (issue 2 acceptance 5, issue 6): SIGKILL the import at
random moments, and converter helpers during processing; after each crash `wenku check` ends
clean, every acknowledged document is there and finishes, nothing is half-visible, no blob is
orphaned behind check's back."""
import json
import os
import signal
import time

import harness


def make_inputs(suite, it, corpus_pool):
    """Files for one iteration: unique Chinese texts, a DOCX, a PDF, and a corpus file or two."""
    d = suite.path("inputs", "it%03d" % it, "x")
    d = os.path.dirname(d)
    files = []
    for k in range(3):
        p = os.path.join(d, "文本%d.txt" % k)
        with open(p, "w", encoding="utf-8") as f:
            f.write(harness.chinese_text(suite.rng, 300 + 200 * k, "第%d轮 文本%d" % (it, k)))
        files.append(p)
    p = os.path.join(d, "报告.docx")
    harness.make_docx(p, [harness.chinese_text(suite.rng, 120, "第%d轮 报告" % it) for _ in range(4)])
    files.append(p)
    p = os.path.join(d, "slides.pdf")
    harness.make_pdf(p, ["iteration %d page %d %s" % (it, n, suite.rng.random()) for n in range(3)])
    files.append(p)
    if corpus_pool:
        files.extend(suite.rng.sample(corpus_pool, min(2, len(corpus_pool))))
    suite.rng.shuffle(files)
    return files


def read_lines(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # the line the kill cut in half
    return out


def processes():
    """(pid, ppid, comm, cmdline) of every process."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            comm = stat[stat.index("(") + 1:stat.rindex(")")]
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        out.append((int(pid), ppid, comm, cmdline))
    return out


def helper_pids(parent):
    """Converter helpers started by `parent` (they run in their own sessions, inside the
    converter box: a bwrap process sits between wenku and each helper)."""
    procs = processes()
    children = {}
    for pid, ppid, comm, _ in procs:
        children.setdefault(ppid, []).append(pid)
    below, todo = set(), [parent]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in below:
                below.add(c)
                todo.append(c)
    return [pid for pid, _, comm, _ in procs if pid in below and comm.startswith("wenku-convert")]


def leftovers(data, wait=15):
    """Processes still working in `data` after their wenku died (orphaned helpers)."""
    deadline = time.monotonic() + wait
    while True:
        left = [(pid, cmd) for pid, _, _, cmd in processes() if data in cmd and pid != os.getpid()]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)


def body(suite):
    iterations = suite.args.iterations or (4 if suite.args.tier == "fast" else 100)
    helper_kills = suite.args.helper_kills if suite.args.helper_kills is not None else (
        1 if suite.args.tier == "fast" else 8)
    drain_every = 10 if suite.args.tier == "slow" else 2
    corpus_pool = harness.corpus_files(["zh/docx", "zh/pdf", "docx", "pdf", "txt"], max_bytes=150_000)
    data = suite.path("data", "x")
    data = os.path.dirname(data)

    # Calibration: one full import, never killed, tells how long a run lasts.
    files = make_inputs(suite, 0, corpus_pool)
    t0 = time.monotonic()
    rc, out, err = suite.run(["import", "--data", data, "--json"] + files, timeout=600)
    full = time.monotonic() - t0
    lines = read_lines(out)
    suite.require(rc == 0 and len(lines) == len(files), "calibration import failed: rc=%d %s" % (rc, err[-1500:]))
    for ln in lines:
        suite.check(ln["status"] in ("ready", "failed", "duplicate") and ln["id"] is not None,
                    "calibration: unexpected line %s" % ln)
    print("calibration: %d files in %.2f s" % (len(files), full), flush=True)
    acknowledged = {ln["id"]: ln["status"] for ln in lines if ln["id"] is not None}

    # What a crash leaves between a blob's temporary file and its rename, and the converter
    # directory of a dead process: check removes both.
    with open(os.path.join(data, "blobs", "tmp", "put-12345"), "wb") as f:
        f.write(b"half a blob")
    os.makedirs(os.path.join(data, "work", "convert-999999-1", "profile-0"), exist_ok=True)
    harness.check_twice(suite, data, "planted leftovers")
    harness.verify_data_dir(suite, data, "planted leftovers")

    kills = acked_lines = kill_points = 0
    for it in range(1, iterations + 1):
        files = make_inputs(suite, it, corpus_pool)
        p = suite.spawn([suite.wenku, "import", "--data", data, "--json"] + files)
        delay = suite.rng.uniform(0.0, full * 1.1)
        try:
            out, err = p.communicate(timeout=delay)
            killed = False
        except Exception:
            suite.kill_group(p)
            out, err = p.communicate()
            killed = True
            kills += 1
        kill_points += 1
        lines = read_lines(out.decode("utf-8", "replace"))
        acked_lines += len(lines)
        for ln in lines:
            if ln.get("id") is not None and ln["status"] in ("ready", "failed"):
                acknowledged.setdefault(ln["id"], ln["status"])
        label = "iteration %d (kill at %.2f s%s)" % (it, delay, "" if killed else ", finished first")
        left = leftovers(data)
        suite.check(not left, "%s: processes outlived the killed import: %s" % (label, left))
        harness.check_twice(suite, data, label)
        harness.verify_data_dir(suite, data, label)
        docs = harness.documents(data)
        for doc_id, status in acknowledged.items():
            if not suite.check(doc_id in docs, "%s: acknowledged document %d lost" % (label, doc_id)):
                continue
            if status == "ready":
                suite.check(docs[doc_id]["status"] == "ready",
                            "%s: document %d was ready, now %s" % (label, doc_id, docs[doc_id]["status"]))
        if it % drain_every == 0 or it == iterations:
            took = harness.drain(suite, data)
            harness.check_twice(suite, data, label + " after draining")
            harness.verify_data_dir(suite, data, label + " after draining", settled=True)
            print("iteration %d: %d documents, queue drained in %.1f s" % (it, len(docs), took), flush=True)

    # Converter helpers killed mid-conversion: the import still ends, every input accounted for.
    helper_killed = 0
    for k in range(helper_kills):
        files = make_inputs(suite, 1000 + k, [])
        p = suite.spawn([suite.wenku, "import", "--data", data, "--json"] + files)
        deadline = time.monotonic() + 60
        victims = []
        while time.monotonic() < deadline and p.poll() is None and not victims:
            victims = helper_pids(p.pid)
            time.sleep(0.02)
        if victims:
            time.sleep(suite.rng.uniform(0.0, 1.0))
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                    helper_killed += 1
                except ProcessLookupError:
                    pass
        out, err = p.communicate(timeout=600)
        lines = read_lines(out.decode("utf-8", "replace"))
        label = "helper kill %d" % k
        suite.check(p.returncode == 0, "%s: import exited %d: %s" % (label, p.returncode, err[-1500:]))
        suite.check(len(lines) == len(files), "%s: %d lines for %d inputs" % (label, len(lines), len(files)))
        for ln in lines:
            suite.check(ln["status"] in ("ready", "failed", "duplicate"), "%s: line %s" % (label, ln))
            if ln["status"] == "failed":
                suite.check(bool(ln.get("error")), "%s: failed without a reason: %s" % (label, ln))
            if ln["path"].endswith(".txt") or ln["path"].endswith(".pdf"):
                suite.check(ln["status"] == "ready", "%s: %s did not survive a helper kill: %s" % (label, ln["path"], ln))
        harness.check_twice(suite, data, label)
        harness.verify_data_dir(suite, data, label, settled=True)

    docs = harness.documents(data)
    statuses = {}
    for d in docs.values():
        statuses[d["status"]] = statuses.get(d["status"], 0) + 1
    suite.figure("iterations", iterations)
    suite.figure("kills", kills)
    suite.figure("helper_kills", helper_killed)
    suite.figure("acknowledged", len(acknowledged))
    suite.figure("documents", len(docs))
    suite.figure("ready", statuses.get("ready", 0))
    suite.figure("failed", statuses.get("failed", 0))
    suite.figure("lost", sum(1 for i in acknowledged if i not in docs))


if __name__ == "__main__":
    ap = harness.arg_parser(__doc__)
    ap.add_argument("--iterations", type=int, default=None)
    ap.add_argument("--helper-kills", type=int, default=None)
    harness.main_wrapper("crash_import", ap.parse_args(), body)
