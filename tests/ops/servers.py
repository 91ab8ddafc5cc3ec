"""Private, throwaway instances of the real servers, for tests that stop and start them.

The machine's own PostgreSQL (5432) and Redis (6379) serve other tests running at the same time
(pytest-xdist workers, other checkouts): a fault test never touches them. It starts its own
PostgreSQL (``initdb`` and ``pg_ctl`` from Debian's /usr/lib/postgresql/<version>/bin, in a
temporary folder, on a free loopback port; as the ``postgres`` account when the tests run as
root, which PostgreSQL refuses), its own ``redis-server`` and gunicorn, and stops them at the end.
"""
from __future__ import annotations

import glob
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(interval)


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server programs installed (Debian's layout)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster of its own. ``wal_segment_mb`` small segments let a test cap the size
    of files (a full disk) without the server failing to create its WAL."""

    def __init__(self, wal_segment_mb: int = 1):
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server programs not found: apt-get install postgresql")
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="governance-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_root = os.geteuid() == 0
        if self.as_root:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync", f"--wal-segsize={wal_segment_mb}")
        settings = {"listen_addresses": "127.0.0.1", "port": str(self.port), "unix_socket_directories": str(self.root),
                    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "max_connections": "60",
                    "min_wal_size": f"{8 * wal_segment_mb}MB", "max_wal_size": f"{64 * wal_segment_mb}MB"}
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = '{value}'\n" for key, value in settings.items())

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / program), *args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=check, cwd=self.root)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def limit_file_size(self, size: int | None) -> None:
        """Cap (or, with None, uncap) the size of any file the server writes from now on: its
        postmaster's soft RLIMIT_FSIZE, which the backends it starts inherit. Set as the server's
        own account (``prlimit``): root in a container may lack CAP_SYS_RESOURCE for other users'
        processes."""
        limit = f"{size}:" if size is not None else "unlimited:"
        command = ["prlimit", "--pid", str(self.postmaster_pid()), f"--fsize={limit}"]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().splitlines()[0])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                         "-At", "-c", sql).stdout.strip()

    def create_database(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRedis:
    """``redis-server`` on a free port, nothing saved to disk; ``stop`` and ``start`` again keep the port."""

    def __init__(self):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server not found: apt-get install redis-server")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--protected-mode", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, 10, "redis-server starting")

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def children(pid: int) -> list[int]:
    found = []
    for task in glob.glob(f"/proc/{pid}/task/*/children"):
        try:
            found += [int(child) for child in Path(task).read_text().split()]
        except OSError:
            continue
    return found


class Gunicorn:
    """``python -m gunicorn`` with the project's gunicorn.conf.py, as production runs it. Its standard
    error (the JSON log lines) is read through a pipe, never a file: a test may cap the size of the
    files a worker writes (a full disk) without touching its logging."""

    def __init__(self, env: dict[str, str], workers: int = 2, port: int | None = None, host: str = "127.0.0.1",
                 args: tuple[str, ...] = ()):
        self.port = port or free_port()
        self.host = host
        self._lines: list[str] = []
        command = [sys.executable, "-m", "gunicorn", "-c", str(PROJECT / "gunicorn.conf.py"), "--workers", str(workers),
                   "--bind", f"{host}:{self.port}", "--graceful-timeout", "5", *args, "governance_app:create_app()"]
        self.process = subprocess.Popen(command, env=env, cwd=PROJECT, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
        self._reader = threading.Thread(target=self._read, name="gunicorn-stderr", daemon=True)
        self._reader.start()
        self.workers = workers
        wait_until(self.ready, 60, "gunicorn starting", interval=0.2)

    def _read(self) -> None:
        for line in self.process.stderr:
            self._lines.append(line)

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {self.log()[-3000:]}")
        if len(children(self.process.pid)) < self.workers:
            return False
        try:
            connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
            try:
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            finally:
                connection.close()
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def kill_workers(self) -> list[int]:
        """SIGKILL every worker, as the kernel's OOM killer or a crash would; the master starts new ones."""
        killed = self.worker_pids()
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not set(killed) & set(self.worker_pids()) and len(self.worker_pids()) >= self.workers,
                   30, "new workers")
        wait_until(self.ready, 30, "gunicorn serving again", interval=0.1)
        return killed

    def log(self) -> str:
        return "".join(self._lines)

    def errors(self) -> str:
        """gunicorn's own reports of exceptions that escaped the application (with their tracebacks)."""
        text = self.log()
        start = text.find("Error handling request")
        return text[start:start + 8000] if start >= 0 else ""

    def json_lines(self) -> list[dict]:
        found = []
        for line in list(self._lines):
            if line.startswith("{"):
                try:
                    found.append(json.loads(line))
                except ValueError:
                    continue
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)
        self.process.stderr.close()


def app_environment(app, **extra: str) -> dict[str, str]:
    """What gunicorn's workers need to serve the database ``app`` uses, with its keys."""
    env = {**os.environ, "GOVERNANCE_ENV": "development", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": app.config["SECRET_KEY"], "TOTP_ENCRYPTION_KEY": app.config["TOTP_ENCRYPTION_KEY"],
           "ID_HASH_KEY": app.config["ID_HASH_KEY"], "LOG_LEVEL": "INFO"}
    for name in ("REDIS_URL", "PROMETHEUS_MULTIPROC_DIR", "TRUSTED_PROXIES"):
        env.pop(name, None)
    env.update(extra)
    return env


def http_request(port: int, method: str, path: str, body: bytes | str | None = None, headers: dict | None = None,
                 host: str = "127.0.0.1", timeout: float = 30) -> tuple[int, dict[str, str], str]:
    """(status, headers, body as text) of one request on a new connection."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, \
            response.read().decode("utf-8", errors="replace")
    finally:
        connection.close()
