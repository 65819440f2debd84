"""Start a real PostgreSQL server (Debian's ``postgresql`` package) in a temporary folder, for the store tests.

``initdb`` and ``pg_ctl`` come from ``/usr/lib/postgresql/<version>/bin`` (the newest
there). The server listens on a free loopback port, with its socket in its own
folder, and checks passwords on TCP (scram-sha-256), so the tests' URLs carry one as
an operator's would. PostgreSQL refuses to run as root: under root (as in CI) the
server runs as the ``postgres`` user the package creates, in a folder that user owns.

``TOXICITY_REQUIRE_POSTGRES`` (set by ``.ci/run``) turns a missing server into a
failure rather than a skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.live import free_port

PASSWORD = "s3cret-Pa55word"
"""The superuser's password in the tests' URLs (the redaction tests look for it in logs)."""
REQUIRE = bool(os.environ.get("TOXICITY_REQUIRE_POSTGRES"))


def find_bin() -> Path | None:
    """Return the newest ``/usr/lib/postgresql/*/bin`` holding ``initdb`` and ``pg_ctl``, or ``None``."""
    found = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()]
    return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, default=None)


def missing_reason() -> str | None:
    """Return why no server can be started here, or ``None`` when one can."""
    if find_bin() is None:
        return "needs Debian's postgresql package (initdb and pg_ctl in /usr/lib/postgresql/*/bin): apt-get install postgresql"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "runs PostgreSQL as the postgres user when root, and there is none (the postgresql package makes it)"
        if shutil.which("runuser") is None:
            return "needs runuser (util-linux) to start PostgreSQL as the postgres user when root"
    return None


@dataclass
class PostgresServer:
    """A PostgreSQL server in ``folder`` on ``port``, started and stopped with ``pg_ctl``."""

    bindir: Path
    folder: Path
    port: int

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def _run(self, args: Sequence[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        """Create the cluster: superuser ``postgres`` with ``PASSWORD``, passwords on TCP, trust on the socket."""
        pwfile = self.folder / "pw"
        pwfile.write_text(PASSWORD + "\n")
        self._run(
            [
                self.bindir / "initdb",
                "-D",
                self.data,
                "-U",
                "postgres",
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
            ]
        )
        pwfile.unlink()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run([self.bindir / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start"])

    def stop(self) -> None:
        """Stop the server at once (``-m fast``: open connections are cut, as in an outage)."""
        self._run([self.bindir / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"], check=False)

    def url(self, database: str = "postgres") -> str:
        """Return a URL for ``database`` with the password, as an operator would configure."""
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{self.port}/{database}"


def start_server() -> PostgresServer:
    """Make a folder the server's user owns, create a cluster there and start it."""
    bindir = find_bin()
    assert bindir is not None
    folder = Path(tempfile.mkdtemp(prefix="toxicity-pg-"))
    if os.geteuid() == 0:  # pytest's tmp folders are private to root; the server runs as postgres
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    server = PostgresServer(bindir, folder, free_port())
    server.init()
    server.start()
    return server


def remove(server: PostgresServer) -> None:
    """Stop the server and delete its folder."""
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
