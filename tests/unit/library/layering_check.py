"""The house's layering (issue 11), read from the sources: http and cli reach documents only
through the library's services (no store or blob header, no store()/blobs() accessor, no
SQLite header; their CMake targets link neither wenku_store nor wenku_blob), and no source
file under src/ is over 700 lines. Outside the library no one calls the Library's raw
store()/blobs() (they are private to it and its backup service)."""
import os
import re
import sys

MAX_LINES = 700


def main():
    src = os.path.join(sys.argv[1], "src")
    failures = []
    for module in ("http", "cli"):
        for name in sorted(os.listdir(os.path.join(src, module))):
            rel = os.path.join(module, name)
            path = os.path.join(src, rel)
            if not name.endswith((".cpp", ".h")):
                continue
            text = open(path, encoding="utf-8").read()
            for pattern in (r'#include "(store|blob|index|jobs|sqlite)/', r"sqlite3\.h", r"\bstore\(\)", r"\bblobs\(\)"):
                for m in re.finditer(pattern, text):
                    line = text.count("\n", 0, m.start()) + 1
                    failures.append("%s:%d: %s above the library" % (rel, line, m.group(0)))
        cmake = open(os.path.join(src, module, "CMakeLists.txt"), encoding="utf-8").read()
        for target in ("wenku_store", "wenku_blob"):
            if target in cmake:
                failures.append("%s/CMakeLists.txt links %s" % (module, target))
    for root, _, files in os.walk(src):
        for name in files:
            if name.endswith((".cpp", ".h")):
                path = os.path.join(root, name)
                n = sum(1 for _ in open(path, encoding="utf-8", errors="replace"))
                if n > MAX_LINES:
                    failures.append("%s: %d lines (at most %d)" % (os.path.relpath(path, src), n, MAX_LINES))
    for f in failures:
        print("FAIL " + f)
    print("layering: %d problem(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
