"""A throwaway PostgreSQL/PostGIS cluster for the server tests (no mock database).

:func:`start_cluster` runs ``initdb`` into a temporary folder, starts ``postgres`` on a free
local port (TCP on 127.0.0.1 and a Unix socket in the same folder) with SCRAM passwords, and
creates the PostGIS extension; :meth:`Cluster.stop` stops the server and removes the folder.
PostgreSQL refuses to run as root: as root the cluster runs as the ``postgres`` system user
(created by Debian's ``postgresql`` package) or ``nobody``.

Where that is impossible (no PostgreSQL, no PostGIS, no unprivileged user) :func:`start_cluster`
raises :class:`ClusterUnavailableError` with the reason; the session fixture skips the server tests
with it, or fails them when ``SOZIALRAUM_REQUIRE_POSTGIS=1`` (CI).
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

__all__ = ["Cluster", "ClusterUnavailableError", "find_binaries", "start_cluster"]

SUPERUSER = "sozialraum_test"
DATABASE = "sozialraum"
SETTINGS = {
    # Throwaway data: no durability needed, which makes the tests fast on a busy machine.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "120",
    "shared_buffers": "64MB",
    "listen_addresses": "'127.0.0.1'",
    "password_encryption": "'scram-sha-256'",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
}


class ClusterUnavailableError(RuntimeError):
    """No throwaway cluster can be started here (the message says why and how to fix it)."""


def find_binaries() -> Path:
    """The folder with ``initdb``, ``pg_ctl`` and ``postgres`` (newest Debian version first)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit()
                        else 0, reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.append(str(Path(found).resolve()))
    for initdb in candidates:
        folder = Path(initdb).parent
        if (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    raise ClusterUnavailableError(
        "PostgreSQL fehlt (kein initdb gefunden); 'python dev.py test' installiert es unter "
        "Debian als root, sonst: apt-get install postgresql postgresql-15-postgis-3")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> str | None:
    """The unprivileged user to run the server as (``None``: the current user)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ClusterUnavailableError("Als root läuft PostgreSQL nur unter einem anderen Benutzer; es "
                             "gibt weder 'postgres' noch 'nobody'.")


@dataclass
class Cluster:
    """A running throwaway cluster.

    Attributes
    ----------
    folder
        Temporary folder (data directory, socket, log); removed by :meth:`stop`.
    port
        The TCP port on 127.0.0.1.
    password
        The superuser's password (random, only in memory and in the temporary folder).
    """

    folder: Path
    port: int
    password: str
    binaries: Path
    user: str | None
    version: str = ""
    _stopped: bool = field(default=False, repr=False)

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.folder / "data"

    def url(self, user: str = SUPERUSER, password: str | None = None,
            database: str = DATABASE) -> str:
        """A ``postgresql://`` URL for a user (with the password, for tests only)."""
        secret = self.password if password is None and user == SUPERUSER else password
        auth = quote(user, safe="") + (f":{quote(secret, safe='')}" if secret else "")
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def url_without_password(self, user: str = SUPERUSER, database: str = DATABASE) -> str:
        """The URL a deployment would configure (the password comes from the login)."""
        return f"postgresql://{quote(user, safe='')}@127.0.0.1:{self.port}/{database}"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        return subprocess.run([*prefix, *args], capture_output=True, text=True, check=check,
                              timeout=120)

    def stop(self) -> None:
        """Stop the server (immediately) and remove the folder."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._pg(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                     "-w", "stop", check=False)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _initdb(cluster: Cluster) -> None:
    pwfile = cluster.folder / "pw"
    pwfile.write_text(cluster.password + "\n", encoding="utf-8")
    if cluster.user:
        shutil.chown(cluster.folder, cluster.user)
        shutil.chown(pwfile, cluster.user)
    pwfile.chmod(0o600)
    done = cluster._pg(str(cluster.binaries / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER,
                       "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8",
                       "--locale=C.UTF-8", "-N", check=False)
    pwfile.unlink()
    if done.returncode != 0:
        raise ClusterUnavailableError(f"initdb ist fehlgeschlagen: {done.stderr.strip()[-400:]}")
    lines = [f"{key} = {value}" for key, value in SETTINGS.items()]
    lines += [f"port = {cluster.port}", f"unix_socket_directories = '{cluster.folder}'"]
    with (cluster.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n".join(lines) + "\n")


def _start(cluster: Cluster) -> None:
    log = cluster.folder / "server.log"
    done = cluster._pg(str(cluster.binaries / "pg_ctl"), "-D", str(cluster.data), "-l", str(log),
                       "-w", "-t", "60", "start", check=False)
    if done.returncode != 0:
        text = log.read_text(encoding="utf-8", errors="replace")[-600:] if log.exists() else ""
        raise ClusterUnavailableError(f"PostgreSQL startet nicht: {done.stderr.strip()} {text}")


def _create_database(cluster: Cluster) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(cluster.url(database="postgres"), autocommit=True) as conn:
                cluster.version = str(conn.execute("SHOW server_version").fetchone()[0])
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise ClusterUnavailableError(
                f"PostGIS fehlt ({exc}); unter Debian: apt-get install "
                "postgresql-15-postgis-3 (python dev.py test installiert es als root)") from exc


def start_cluster() -> Cluster:
    """Start a throwaway cluster with a database ``sozialraum`` and PostGIS.

    Raises
    ------
    ClusterUnavailableError
        With the reason, if PostgreSQL or PostGIS is missing or the server does not start.
    """
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise ClusterUnavailableError("Das Python-Paket 'psycopg' fehlt (python dev.py setup).") from exc
    binaries = find_binaries()
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="sozialraum-pg-"))
    cluster = Cluster(folder=folder, port=_free_port(), password=secrets.token_urlsafe(24),
                      binaries=binaries, user=user)
    try:
        _initdb(cluster)
        _start(cluster)
        _create_database(cluster)
    except BaseException:
        cluster.stop()
        raise
    return cluster
