"""PostgreSQL for integration tests: initdb into a temporary directory, pg_ctl start on a
free loopback port with its unix socket in that directory, stopped and removed at the end.
PostgreSQL refuses to run as root, so under root it runs as `nobody`. The binaries come
from $WENKU_PG_BINDIR, else /usr/lib/postgresql/15/bin (Debian's postgresql-15, installed by
scripts/setup.sh); without them the test fails saying so."""
import os
import shutil
import subprocess
import tempfile

import wenku_testlib as w

BINDIR = os.environ.get("WENKU_PG_BINDIR", "/usr/lib/postgresql/15/bin")
NOBODY = 65534


def _as_server_user():
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


class PgServer:
    def __enter__(self):
        if not os.path.exists(os.path.join(BINDIR, "initdb")):
            raise AssertionError(f"PostgreSQL 15 is not installed (no initdb in {BINDIR}): run scripts/setup.sh "
                                 "(Debian postgresql-15) or set WENKU_PG_BINDIR")
        self.dir = tempfile.mkdtemp(prefix="wenku-pg-", dir="/tmp")
        if os.geteuid() == 0:
            os.chown(self.dir, NOBODY, NOBODY)
        self.data = os.path.join(self.dir, "data")
        self._run("initdb", "-D", self.data, "-U", "wenku", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        self.port = w.free_port()
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"), "-w", "-t", "60", "-o",
                  f"-p {self.port} -k '{self.dir}' -c listen_addresses=127.0.0.1 -c fsync=off", "start")
        return self

    def __exit__(self, *exc):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _run(self, tool, *args):
        proc = subprocess.run([os.path.join(BINDIR, tool), *args], capture_output=True, preexec_fn=_as_server_user,
                              cwd=self.dir, timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"{tool} failed: {proc.stdout.decode()[-800:]} {proc.stderr.decode()[-800:]}")

    def url(self, db):
        return f"postgresql://wenku@127.0.0.1:{self.port}/{db}"

    def create_database(self, db):
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "wenku", db)
        return self.url(db)

    def sql(self, db, statement):
        """Runs one statement with psql and returns its unaligned output."""
        proc = subprocess.run([os.path.join(BINDIR, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "wenku",
                               "-d", db, "-At", "-c", statement], capture_output=True, preexec_fn=_as_server_user,
                              cwd=self.dir, timeout=60)
        if proc.returncode != 0:
            raise AssertionError("psql failed: " + proc.stderr.decode())
        return proc.stdout.decode().strip()
