"""The converter sandbox, checked from outside (issue 6, "compromised converter"): while
`wenku import` converts Office documents, every converter helper (and any soffice it starts)
runs in a network namespace other than ours, under the configured address-space limit, holds no file open for writing outside the
data directory's work/ folder, and does not connect to a listener on the host that a
document links to; afterwards HOME and TMPDIR given to wenku are still empty.

What it cannot prove: a write to a file opened and closed between two samples (every 10 ms)
is not seen; HOME/TMPDIR emptiness covers the usual places LibreOffice writes to.

Then a document LibreOffice lays out for far longer than the limit (a stand-in for one that
makes it loop) ends within the convert time limit, with no helper left behind.

Then the box from inside (issue 13): the test build's probe helper (wenku-convert-helper-probe,
the helper with a PROBE hook compiled in), started by the real pool in the real box, is asked
to write into HOME, /tmp, the data directory and /usr, to read the site's database, to connect
to a listener on the host (TCP and a unix socket), to open inet/inet6/netlink/packet sockets,
to ptrace and to mount: each must be refused, while writing its own scratch directory and
reading LibreOffice still work, its rlimits are the pool's and it sees only its own processes.
With --loosen (WENKU_CONVERT_SANDBOX=none) the same checks must fail: CTest runs that as
reliability_sandbox_loosened_fast with WILL_FAIL."""
import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time

import harness


def proc_children(root):
    """Every descendant of `root` (pid), from /proc."""
    parents = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                stat = f.read()
            parents[int(pid)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        for c, pp in parents.items():
            if pp == p:
                out.append(c)
                todo.append(c)
    return out


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def writable_paths(pid):
    """Paths the process holds open for writing (O_WRONLY or O_RDWR)."""
    out = []
    fd_dir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                flags = next((int(l.split()[1], 8) for l in f if l.startswith("flags:")), 0)
        except (OSError, StopIteration, ValueError):
            continue
        if target.startswith("/") and flags & 3:
            out.append(target)
    return out


def limits(pid):
    """(address-space soft limit in bytes or None, resident KB) of a process."""
    space = None
    try:
        with open("/proc/%d/limits" % pid) as f:
            for line in f:
                if line.startswith("Max address space"):
                    v = line.split()[3]
                    space = None if v == "unlimited" else int(v)
        with open("/proc/%d/status" % pid) as f:
            rss = next((int(l.split()[1]) for l in f if l.startswith("VmRSS:")), 0)
    except (OSError, ValueError, IndexError):
        return None, 0
    return space, rss


class Listener(threading.Thread):
    """A TCP listener the hostile document links to; counts connections."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop_flag = False

    def run(self):
        while not self.stop_flag:
            try:
                c, _ = self.sock.accept()
                self.hits += 1
                c.close()
            except socket.timeout:
                continue
            except OSError:
                return


def linked_docx(suite, name, port, k):
    """A DOCX whose image and hyperlink point at our listener (external relationships)."""
    url = "http://127.0.0.1:%d/leak-%d.png" % (port, k)
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = ('<?xml version="1.0"?><w:document xmlns:w="%s" '
           'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
           'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>'
           '<w:p><w:hyperlink r:id="rId8"><w:r><w:t>链接 %d</w:t></w:r></w:hyperlink></w:p>'
           '<w:p><w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="p"/>'
           '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
           '<pic:nvPicPr><pic:cNvPr id="1" name="p"/><pic:cNvPicPr/></pic:nvPicPr>'
           '<pic:blipFill><a:blip r:link="rId9"/></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
           '<a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic>'
           '</a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>'
           '<w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>'
           % (W, k, harness.escape_xml(harness.chinese_text(suite.rng, 200, "沙箱 %d" % k))))
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
            'Target="%s" TargetMode="External"/>'
            '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
            'Target="%s" TargetMode="External"/></Relationships>' % (url, url))
    p = suite.path("inputs", name)
    harness.make_docx(p, [], document_xml=xml, extra_members={"word/_rels/document.xml.rels": rels})
    return p


def slow_docx(suite, rows):
    """A DOCX whose table (rows x 6 cells) LibreOffice lays out for far longer than a few
    seconds: what a document that makes LibreOffice loop looks like from outside."""
    W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    cells = "".join("<w:tr>" + "".join("<w:tc><w:p><w:r><w:t>格%d-%d 内容</w:t></w:r></w:p></w:tc>" % (r, c)
                                       for c in range(6)) + "</w:tr>" for r in range(rows))
    xml = '<?xml version="1.0"?><w:document xmlns:w="%s"><w:body><w:tbl>%s</w:tbl></w:body></w:document>' % (W, cells)
    p = suite.path("inputs", "slow.docx")
    harness.make_docx(p, [], document_xml=xml)
    return p


def time_limit(suite, data):
    """A conversion that outlasts convert_timeout_seconds is killed at the limit: the import
    ends in bounded time, the document ends (ready from its own text, or failed), no helper
    outlives it, and the log says why."""
    limit = 3
    p = slow_docx(suite, 8000)
    t = time.monotonic()
    rc, out, err = suite.run(["import", "--data", data, "--json", p],
                             env={"WENKU_CONVERT_TIMEOUT_SECONDS": str(limit), "WENKU_JOB_MAX_ATTEMPTS": "2"},
                             timeout=300)
    secs = time.monotonic() - t
    lines = [l for l in out.splitlines() if l.startswith("{")]
    suite.check(rc == 0 and len(lines) == 1 and ('"ready"' in lines[0] or '"failed"' in lines[0]),
                "slow document: import exited %d: %s %s" % (rc, lines, err[-500:]))
    suite.check("timed out" in err or "timeout" in err, "slow document: no timeout in the log: %s" % err[-500:])
    # Two attempts at `limit` seconds each, plus start-up and the text: well under a minute.
    suite.check(secs < 60, "slow document took %.1f s with a %d s limit" % (secs, limit))
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and data in _cmdline(pid)]
    suite.check(not left, "processes outlived the slow document's import: %s" % left)
    print("slow document: %s in %.1f s (limit %d s)" % (lines[0] if lines else None, secs, limit), flush=True)
    return secs


def _cmdline(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


class UnixListener(threading.Thread):
    """A unix socket on the host the probe tries to reach."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.bind(path)
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.hits = 0
        self.stop_flag = False

    def run(self):
        while not self.stop_flag:
            try:
                c, _ = self.sock.accept()
                self.hits += 1
                c.close()
            except socket.timeout:
                continue
            except OSError:
                return


def probe_box(suite, data, home, memory_mb):
    """Asks the probe helper, in the pool's box, to break out; returns the refusals counted."""
    args = suite.args
    if not args.probe or not args.probe_helper or not os.path.exists(args.probe_helper):
        harness.skip("no probe helper (a build with -DWENKU_BUILD_TESTS=ON makes it)")
    os.makedirs(data, exist_ok=True)
    db_path = os.path.join(data, "wenku.db")
    if not os.path.exists(db_path):
        with open(db_path, "wb") as f:
            f.write(b"SQLite format 3\0" + b"\0" * 100)
    os.makedirs(os.path.join(data, "blobs"), exist_ok=True)
    listener = Listener()
    listener.start()
    sock_path = os.path.join(suite.tmp, "host.sock")
    unix = UnixListener(sock_path)
    unix.start()
    work = os.path.join(data, "work", "convert-probe")
    slot = os.path.join(work, "slot-0")
    outside_tmp = "/tmp/wenku-sandbox-probe-%d-%d" % (os.getpid(), suite.rng.randrange(1 << 30))
    must_refuse = {  # name -> probe line; every one must come back refused
        "write_home": "write %s" % os.path.join(home, "probe-home"),
        "write_tmp": "write %s" % outside_tmp,
        "write_data": "write %s" % os.path.join(data, "probe-data"),
        "write_blobs": "write %s" % os.path.join(data, "blobs", "probe-blob"),
        "write_usr": "write /usr/wenku-sandbox-probe",
        "write_etc": "write /etc/wenku-sandbox-probe",
        "read_db": "read %s" % db_path,
        "connect_host": "connect 127.0.0.1 %d" % listener.port,
        "connect_unix": "unix %s" % sock_path,
        "socket_inet": "socket inet",
        "socket_inet6": "socket inet6",
        "socket_netlink": "socket netlink",
        "socket_packet": "socket packet",
        "ptrace": "ptrace",
        "mount": "mount",
    }
    must_work = {  # controls: the probe itself works, the box is not merely broken
        "write_own_scratch": "write %s" % os.path.join(slot, "probe-own"),
        "read_office": "read /usr/lib/libreoffice/program/soffice",
    }
    request = os.path.join(suite.tmp, "probe-request.txt")
    with open(request, "w") as f:
        f.write("WENKU-SANDBOX-PROBE\n")
        for name, line in list(must_refuse.items()) + list(must_work.items()):
            f.write("%s %s\n" % (name, line))
        f.write("limits limits\npids pids\n")
    env = {"HOME": home, "WENKU_CONVERT_SANDBOX": "none" if args.loosen else "box"}
    p = subprocess.run([args.probe, "--helper", args.probe_helper, "--work", work, "--request", request,
                        "--memory-mb", str(memory_mb)], env=suite.env(env), capture_output=True, timeout=120)
    rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    listener.stop_flag = unix.stop_flag = True
    line = next((l for l in out.splitlines() if l.startswith("PROBE")), None)
    suite.require(line is not None, "the probe did not answer (exit %d): %s %s" % (rc, out[-500:], err[-800:]))
    print("probe: %s" % line, flush=True)
    results = dict(m.groups() for m in re.finditer(r"(\w+)=([^;]*);", line))
    refused = 0
    for name in must_refuse:
        got = results.get(name, "missing")
        if suite.check(got.startswith("refused"), "the boxed helper was allowed to %s (%s): %s"
                       % (name, must_refuse[name], got)):
            refused += 1
    for name in must_work:
        suite.check(results.get(name, "").startswith("ok"), "control %s failed in the box: %s"
                    % (name, results.get(name)))
    limits = dict(kv.split(":") for kv in results.get("limits", "").split(",") if ":" in kv)
    expect = {"as": str(memory_mb << 20), "nofile": "4096", "fsize": str(2 << 30), "nproc": "4096", "core": "0"}
    for k, v in expect.items():
        suite.check(limits.get(k) == v, "helper rlimit %s is %s, not %s" % (k, limits.get(k), v))
    pids = int(results.get("pids", "0") or 0)
    suite.check(0 < pids <= 8, "the helper sees %d processes (own pid namespace: a handful)" % pids)
    # And from outside: nothing appeared where the box forbids writing, no connection arrived.
    for path in (os.path.join(home, "probe-home"), outside_tmp, os.path.join(data, "probe-data"),
                 os.path.join(data, "blobs", "probe-blob"), "/usr/wenku-sandbox-probe", "/etc/wenku-sandbox-probe"):
        if os.path.exists(path):
            suite.check(False, "the probe's file exists outside the box: %s" % path)
            with contextlib.suppress(OSError):
                os.remove(path)
    suite.check(listener.hits == 0 and unix.hits == 0,
                "the boxed helper reached the host: tcp %d, unix %d" % (listener.hits, unix.hits))
    suite.figure("probe_refused", refused)
    suite.figure("probe_attempts", len(must_refuse))
    suite.figure("helper_pids_seen", pids)
    return refused


SERVICE_SCRIPT = r"""set -e
mount --make-rprivate /
mount --bind "$STATE" "$STATE"
mount -o remount,bind,ro /
if [ "$COVER_PROC" = 1 ]; then mount --bind /proc/sys /proc/sys; mount -o remount,bind,ro /proc/sys; fi
exec setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --bounding-set=-all --inh-caps=-all -- \
  env HOME=/nonexistent "$PROBE" --helper "$HELPER" --work "$STATE/work/convert-probe" --request "$REQUEST"
"""


def world_reachable(path):
    """Whether an unprivileged user can reach `path` (every directory above it searchable)."""
    p = os.path.dirname(os.path.abspath(path))
    while True:
        if not os.stat(p).st_mode & 0o001:
            return False
        if p == "/":
            return True
        p = os.path.dirname(p)


def as_the_service(suite):
    """The box as deploy/systemd/wenku.service runs it, emulated (systemd is not PID 1 here):
    an unprivileged user, no capabilities in the bounding set, no_new_privs, the system
    read-only but for the state directory (ProtectSystem=strict + StateDirectory=). The box
    must start and refuse as before (and /etc/shadow is out of reach for a non-root helper).
    With /proc partly covered (what ProtectKernelTunables= does) the pool must refuse to
    convert, loudly, naming bubblewrap's reason: the unit leaves that option off."""
    args = suite.args
    tools = all(shutil.which(t) for t in ("unshare", "setpriv"))
    if os.geteuid() != 0 or not tools or not world_reachable(args.probe) or not world_reachable(args.probe_helper):
        print("as the service: skipped (needs root, unshare, setpriv and binaries an unprivileged user can reach)",
              flush=True)
        suite.figure("service_emulation", "skipped")
        return
    os.chmod(suite.tmp, 0o755)
    state = os.path.dirname(suite.path("service-state", "x"))
    os.chown(state, 65534, 65534)
    request = os.path.join(suite.tmp, "service-request.txt")
    with open(request, "w") as f:
        f.write("WENKU-SANDBOX-PROBE\nwrite_tmp write /tmp/wenku-service-probe\n"
                "write_state write %s/probe\nread_shadow read /etc/shadow\nsocket_inet socket inet\n"
                "ptrace ptrace\nwrite_own write %s/work/convert-probe/slot-0/ok\n" % (state, state))
    os.chmod(request, 0o644)
    script = os.path.join(suite.tmp, "as-service.sh")
    with open(script, "w") as f:
        f.write(SERVICE_SCRIPT)
    env = {"STATE": state, "PROBE": args.probe, "HELPER": args.probe_helper, "REQUEST": request}
    p = subprocess.run(["unshare", "-m", "sh", script], env=suite.env(env), capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    line = next((l for l in out.splitlines() if l.startswith("PROBE")), "")
    print("as the service: %s" % (line or out[-300:] + p.stderr.decode("utf-8", "replace")[-500:]), flush=True)
    results = dict(m.groups() for m in re.finditer(r"(\w+)=([^;]*);", line))
    for name in ("write_tmp", "write_state", "read_shadow", "socket_inet", "ptrace"):
        suite.check(results.get(name, "missing").startswith("refused"),
                    "as the service, the boxed helper was allowed to %s: %s" % (name, results.get(name)))
    suite.check(results.get("write_own", "").startswith("ok"), "as the service, the box did not start: %s" % line)
    shutil.rmtree(os.path.join(state, "work"), ignore_errors=True)
    p = subprocess.run(["unshare", "-m", "sh", script], env=suite.env(dict(env, COVER_PROC="1")),
                       capture_output=True, timeout=120)
    out = p.stdout.decode("utf-8", "replace")
    suite.check(p.returncode != 0 and "does not start here" in out and "proc" in out,
                "with /proc covered the pool did not refuse loudly: %s" % out[-500:])
    suite.figure("service_emulation", "ok" if results.get("write_own", "").startswith("ok") else "failed")


def body(suite):
    if suite.args.loosen:
        home = os.path.dirname(suite.path("home", "x"))
        os.makedirs(home, exist_ok=True)
        probe_box(suite, os.path.dirname(suite.path("data", "x")), home, 1536)
        return
    if suite.args.probe_only:
        home = os.path.dirname(suite.path("home", "x"))
        os.makedirs(home, exist_ok=True)
        probe_box(suite, os.path.dirname(suite.path("data", "x")), home, 1536)
        as_the_service(suite)
        return
    helper = os.path.join(os.path.dirname(suite.wenku), "wenku-convert-helper")
    if not os.path.exists(helper) and not os.environ.get("WENKU_CONVERT_HELPER"):
        harness.skip("no converter helper next to %s" % suite.wenku)
    n_docs = 4 if suite.args.tier == "fast" else 12
    listener = Listener()
    listener.start()
    files = [linked_docx(suite, "链接%d.docx" % k, listener.port, k) for k in range(n_docs)]
    files += harness.corpus_files(["zh/pptx", "pptx", "zh/docx"], max_bytes=400_000, limit=2 if n_docs == 4 else 6)
    data = os.path.dirname(suite.path("data", "x"))
    home = os.path.dirname(suite.path("home", "x"))
    tmpdir = os.path.dirname(suite.path("tmpdir", "x"))
    os.makedirs(home, exist_ok=True)
    os.makedirs(tmpdir, exist_ok=True)
    work = os.path.realpath(os.path.join(data, "work")) + "/"
    own_net = os.readlink("/proc/self/ns/net")

    memory_mb = 1536  # not the default (2048): the limit seen must be the configured one
    p = suite.spawn([suite.wenku, "import", "--data", data, "--json"] + files,
                    env={"HOME": home, "TMPDIR": tmpdir, "WENKU_CONVERT_SLOTS": "1",
                         "WENKU_CONVERT_MEMORY_MB": str(memory_mb)})
    seen, samples, violations, shared_net = set(), 0, [], []
    unlimited, peak_rss_kb = [], 0
    writes_seen = 0  # writable files inside work/: shows the sampler sees what helpers write
    while p.poll() is None:
        for pid in proc_children(p.pid):
            name = comm(pid)
            if not (name.startswith("wenku-convert") or name.startswith("soffice")):
                continue
            try:
                net = os.readlink("/proc/%d/ns/net" % pid)
            except OSError:
                continue
            space, rss = limits(pid)
            peak_rss_kb = max(peak_rss_kb, rss)
            if pid not in seen:
                seen.add(pid)
                if net == own_net:
                    shared_net.append((pid, name))
                # The helper's address-space limit (RLIMIT_AS), which soffice children inherit.
                if space is None or space > memory_mb << 20:
                    unlimited.append((pid, name, space))
            samples += 1
            for path in writable_paths(pid):
                real = os.path.realpath(path)
                if not real.startswith(work) and not real.startswith("/dev/"):
                    violations.append((name, real))
                elif real.startswith(work):
                    writes_seen += 1
        time.sleep(0.01)
    out, err = p.communicate()
    listener.stop_flag = True
    lines = [l for l in out.decode("utf-8", "replace").splitlines() if l.startswith("{")]
    suite.check(p.returncode == 0 and len(lines) == len(files),
                "import exited %s with %d lines for %d files: %s" % (p.returncode, len(lines), len(files), err[-800:]))
    suite.check(bool(seen), "no converter helper was seen: nothing was checked")
    suite.check(not shared_net, "helpers share our network namespace: %s" % shared_net[:3])
    suite.check(not unlimited, "helpers without the %d MB address-space limit: %s" % (memory_mb, unlimited[:3]))
    suite.check(peak_rss_kb < memory_mb * 1024, "a helper's resident memory reached %d MB" % (peak_rss_kb // 1024))
    suite.check(not violations, "helpers hold files open for writing outside work/: %s" % sorted(set(violations))[:5])
    suite.check(listener.hits == 0, "a document's link reached the host %d time(s)" % listener.hits)
    home_writes = 0
    for d, label in ((home, "HOME"), (tmpdir, "TMPDIR")):
        left = []
        for root, dirs, fs in os.walk(d):
            left += [os.path.join(root, x) for x in dirs + fs]
        if label == "HOME" and suite.args.home == "report":
            # Known gap (SECURITY.md): the helpers inherit HOME and something in LibreOffice
            # creates $HOME/.config. Reported, not failed, until convert gives them their own.
            home_writes = len(left)
            if left:
                print("KNOWN GAP: the converter wrote into HOME: %s" % left[:5], flush=True)
            continue
        suite.check(not left, "the import wrote into %s: %s" % (label, left[:5]))
    suite.figure("documents", len(files))
    suite.figure("helpers_seen", len(seen))
    suite.figure("fd_samples", samples)
    suite.figure("shared_netns", len(shared_net))
    suite.figure("without_memory_limit", len(unlimited))
    suite.figure("helper_peak_rss_mb", peak_rss_kb // 1024)
    suite.figure("writes_in_work_seen", writes_seen)
    suite.figure("writes_outside_work", len(set(violations)))
    suite.figure("network_hits", listener.hits)
    suite.figure("home_writes", home_writes)
    suite.figure("slow_convert_s", round(time_limit(suite, data), 1))
    probe_box(suite, data, home, memory_mb)
    as_the_service(suite)


if __name__ == "__main__":
    ap = harness.arg_parser(__doc__)
    ap.add_argument("--home", choices=["strict", "report"], default="strict",
                    help="fail on writes into HOME, or only report them")
    ap.add_argument("--probe", help="the sandbox_probe tool (tests/reliability/sandbox_probe.cpp)")
    ap.add_argument("--probe-helper", help="wenku-convert-helper-probe (test builds only)")
    ap.add_argument("--probe-only", action="store_true", help="only the probes from inside the box")
    ap.add_argument("--loosen", action="store_true",
                    help="run the probes with WENKU_CONVERT_SANDBOX=none: the suite must then fail")
    args = ap.parse_args()
    # Its own FIGURES name: the loosened run's failures are the expected outcome, not the box's.
    harness.main_wrapper("sandbox_loosened" if args.loosen else "sandbox", args, body)
