"""Throwaway PostgreSQL and Redis servers for the scale-out tests.

Each context manager starts a real server (Debian packages) on a free loopback
port in a temporary directory, waits until it answers, yields its connection
parameters, and on exit stops it and removes the directory, also when the
start fails half-way.

- PostgreSQL: binaries from ``$PG_BIN``, ``pg_config --bindir``, ``initdb`` on
  the PATH, or the newest ``/usr/lib/postgresql/*/bin`` (Debian's
  ``postgresql`` package). PostgreSQL refuses to run as root: as root the
  cluster belongs to the ``postgres`` system user (created if missing).
- Redis: ``redis-server`` on the PATH (Debian's ``redis-server`` package;
  ``make services-deps`` installs it), no persistence, password required.

Both can be restarted in place, as the fault-injection test does
(`restart_postgres`: ``pg_ctl restart -m fast``; `Redis.restart`: the server
stopped and started again on the same port, empty).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.processes import free_port, stop, tail

__all__ = [
    "Postgres",
    "Redis",
    "postgres_server",
    "redis_server",
    "postgres_bin_dir",
    "redis_server_binary",
    "restart_postgres",
    "postgres_down",
    "restart_redis",
    "stop_redis",
    "start_redis",
]

POSTGRES_SYSTEM_USER = "postgres"


# --------------------------------------------------------------------------- PostgreSQL


def postgres_bin_dir() -> Path | None:
    """Where initdb and postgres are, or None."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    if shutil.which("pg_config"):
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True, timeout=10)
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)

    def version(path: Path) -> tuple:
        try:
            return tuple(int(part) for part in path.parent.name.split("."))
        except ValueError:
            return (0,)

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for directory in candidates:
        if (directory / "initdb").is_file() and (directory / "postgres").is_file():
            return directory
    return None


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    database: str
    user: str
    password: str
    data_dir: Path
    log: Path
    bin_dir: Path | None = None

    @property
    def dsn(self) -> str:
        return f"host={self.host} port={self.port} dbname={self.database} user={self.user} password={self.password}"

    def connect(self):
        import psycopg2

        return psycopg2.connect(self.dsn, connect_timeout=5)


def _run_as() -> pwd.struct_passwd | None:
    """The account the cluster runs as: None (the current user) unless root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", POSTGRES_SYSTEM_USER],
            check=True,
            timeout=60,
        )
        return pwd.getpwnam(POSTGRES_SYSTEM_USER)


def _as_user(account: pwd.struct_passwd | None) -> dict:
    if account is None:
        return {}
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}


@contextlib.contextmanager
def postgres_server(database: str = "rasa", user: str = "rasa", timeout: float = 60.0) -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster on 127.0.0.1:<free port> with `database`
    owned by `user` (password authentication over TCP)."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)")
    account = _run_as()
    as_user = _as_user(account)
    root = Path(tempfile.mkdtemp(prefix="clinibot-pg-"))
    process: subprocess.Popen | None = None
    try:
        data, sockets, log = root / "data", root / "sockets", root / "postgres.log"
        sockets.mkdir()
        superuser_password, password = secrets.token_hex(16), secrets.token_hex(16)
        pwfile = root / "pwfile"
        pwfile.write_text(superuser_password + "\n")
        if account is not None:
            for path in (root, sockets, pwfile):
                os.chown(path, account.pw_uid, account.pw_gid)
        os.chmod(pwfile, 0o600)
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        init = subprocess.run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--pwfile",
                str(pwfile),
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--no-sync",
            ],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            timeout=120,
            **as_user,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed ({init.returncode}):\n{init.stdout[-2000:]}\n{init.stderr[-2000:]}")
        port = free_port()
        with open(log, "w") as handle:
            if account is not None:
                os.chown(log, account.pw_uid, account.pw_gid)
            process = subprocess.Popen(
                [
                    str(bin_dir / "postgres"),
                    "-D",
                    str(data),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={sockets}",
                    "-c",
                    "max_connections=200",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "shared_buffers=32MB",
                ],
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=root,
                start_new_session=True,
                **as_user,
            )
        admin = _wait_for_postgres(port, superuser_password, timeout, process, log)
        try:
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE ROLE "{user}" LOGIN PASSWORD %s', (password,))
                cursor.execute(f'CREATE DATABASE "{database}" OWNER "{user}"')
        finally:
            admin.close()
        yield Postgres("127.0.0.1", port, database, user, password, data, log, bin_dir)
    finally:
        if process is not None:
            stop(process, signal.SIGINT, whole_group=False)  # SIGINT: fast shutdown (clients disconnected)
        if (root / "data" / "postmaster.pid").exists():  # restarted by pg_ctl: not our child any more
            subprocess.run(
                [str(bin_dir / "pg_ctl"), "stop", "-D", str(root / "data"), "-m", "immediate", "-w", "-t", "30"],
                capture_output=True,
                timeout=60,
                **as_user,
            )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def postgres_down(pg: Postgres, timeout: int = 60) -> Iterator[None]:
    """PostgreSQL stopped (``pg_ctl stop -m fast``) for the duration of the
    block, then started again with the options it had (postmaster.opts)."""
    import shlex

    assert pg.bin_dir is not None
    as_user = _as_user(_run_as())
    options = shlex.split((pg.data_dir / "postmaster.opts").read_text())[1:]
    data = options.index("-D")
    del options[data : data + 2]
    pg_ctl = [str(pg.bin_dir / "pg_ctl"), "-D", str(pg.data_dir), "-w", "-t", str(timeout)]
    subprocess.run([*pg_ctl, "stop", "-m", "fast"], capture_output=True, check=True, timeout=timeout + 30, **as_user)
    try:
        yield
    finally:
        log = pg.log.with_name("postgres-restarted.log")
        subprocess.run(
            [*pg_ctl, "start", "-l", str(log), "-o", shlex.join(options)],
            capture_output=True,
            check=True,
            timeout=timeout + 30,
            **as_user,
        )


def restart_postgres(pg: Postgres, timeout: int = 60) -> float:
    """``pg_ctl restart -m fast`` (clients disconnected, the server stopped
    and started again with the same options); the seconds it took."""
    assert pg.bin_dir is not None
    started = time.monotonic()
    subprocess.run(
        [str(pg.bin_dir / "pg_ctl"), "restart", "-D", str(pg.data_dir), "-m", "fast", "-w", "-t", str(timeout)]
        + ["-l", str(pg.log.with_name("postgres-restarted.log"))],
        capture_output=True,
        check=True,
        timeout=timeout + 30,
        **_as_user(_run_as()),
    )
    return time.monotonic() - started


def _wait_for_postgres(port: int, password: str, timeout: float, process: subprocess.Popen, log: Path):
    import psycopg2

    deadline = time.monotonic() + timeout
    last: Exception = TimeoutError()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"postgres exited ({process.returncode}):\n{tail(log)}")
        try:
            return psycopg2.connect(
                host="127.0.0.1", port=port, dbname="postgres", user="postgres", password=password, connect_timeout=2
            )
        except psycopg2.OperationalError as error:
            last = error
            time.sleep(0.3)
    raise TimeoutError(f"PostgreSQL did not accept connections within {timeout} s ({last}):\n{tail(log)}")


# --------------------------------------------------------------------------- Redis


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or next(
        (path for path in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if os.access(path, os.X_OK)), None
    )


@dataclass(frozen=True)
class Redis:
    host: str
    port: int
    password: str
    log: Path

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host=self.host, port=self.port, password=self.password, db=db, socket_timeout=5)


@contextlib.contextmanager
def redis_server(timeout: float = 30.0) -> Iterator[Redis]:
    """A Redis server on 127.0.0.1:<free port>, in memory only, password required."""
    binary = redis_server_binary()
    if binary is None:
        raise RuntimeError("redis-server not found: `make services-deps` (apt-get install redis-server)")
    root = Path(tempfile.mkdtemp(prefix="clinibot-redis-"))
    process: subprocess.Popen | None = None
    try:
        port, password, log = free_port(), secrets.token_hex(16), root / "redis.log"
        config = root / "redis.conf"
        config.write_text(
            f"bind 127.0.0.1\nport {port}\nprotected-mode yes\ndaemonize no\n"
            f'save ""\nappendonly no\ndir {root}\nlogfile ""\nrequirepass {password}\n'
        )
        os.chmod(config, 0o600)
        process = _start_redis(binary, config, log)
        server = Redis("127.0.0.1", port, password, log)
        _redis_processes[port] = process
        _wait_for_redis(server, timeout, process)
        yield server
    finally:
        if process is not None:
            stop(_redis_processes.pop(port, process), signal.SIGTERM, whole_group=False)
        shutil.rmtree(root, ignore_errors=True)


# port -> the redis-server process now serving it (a restart replaces it)
_redis_processes: dict[int, subprocess.Popen] = {}


def _start_redis(binary: str, config: Path, log: Path) -> subprocess.Popen:
    with open(log, "a") as handle:
        return subprocess.Popen(
            [binary, str(config)], stdout=handle, stderr=subprocess.STDOUT, cwd=config.parent, start_new_session=True
        )


def stop_redis(server: Redis) -> None:
    """The Redis server stopped (SIGTERM); `start_redis` starts it again."""
    stop(_redis_processes[server.port], signal.SIGTERM, whole_group=False)


def start_redis(server: Redis, after_s: float = 0.0, timeout: float = 30.0) -> None:
    """The stopped Redis server started again, `after_s` seconds from now, on
    the same port, empty (no persistence)."""
    binary = redis_server_binary()
    assert binary is not None
    time.sleep(after_s)
    process = _start_redis(binary, server.log.with_name("redis.conf"), server.log)
    _redis_processes[server.port] = process
    _wait_for_redis(server, timeout, process)


def restart_redis(server: Redis, down_s: float = 0.0, timeout: float = 30.0) -> float:
    """The Redis server stopped (SIGTERM) and, `down_s` seconds later, started
    again on the same port, empty; the seconds it took."""
    started = time.monotonic()
    stop_redis(server)
    start_redis(server, down_s, timeout)
    return time.monotonic() - started


def _wait_for_redis(server: Redis, timeout: float, process: subprocess.Popen) -> None:
    import redis

    deadline = time.monotonic() + timeout
    last: Exception = TimeoutError()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited ({process.returncode}):\n{tail(server.log)}")
        client = server.client()
        try:
            if client.ping():
                return
        except redis.exceptions.RedisError as error:
            last = error
            time.sleep(0.2)
        finally:
            client.close()
    raise TimeoutError(f"Redis did not answer within {timeout} s ({last}):\n{tail(server.log)}")
