"""Pages over HTTP against the stack's own ceiling: `make bench-http`.

    python -m bench.http [--n 100000] [--backend sqlite|postgresql|both] [--seconds 15]
        [--rounds 1] [--pages list,youth,...] [--load-tool auto|wrk|python]
        [--json FILE] [--profile DIR] [--temporary] [--rebuild]

Per backend it takes the generated database of `--n` young people (kept under data/bench/,
or a schema `bench_kept_<n>` on PostgreSQL, generated the first time; `--temporary` uses a
throwaway one), and starts three servers with uvicorn, one worker each:

- real: the app as `overgang serve --no-scheduler` runs it;
- ceiling (bench.http_ceiling): a bare FastAPI + Jinja2 app answering each page with
  byte-for-byte the body and headers the real app sent, no database;
- floor (bench.http_floor): the ceiling plus one SQL query per request on the same database.

It logs in through the real login form as the generated users, fetches each page once,
checks that the ceiling and the floor return the same bytes, then for each page runs the
load tool against real, ceiling and floor in turn (`--rounds` times, after a short warm-up),
with the session cookie: wrk -t1 -c4 (installed with apt-get when missing and allowed,
otherwise bench.http_load, a Python tool that understates fast pages). It prints req/s, the
ratio real/ceiling (target >= 0.6), p50/p99, the server's CPU time per request (from
/proc; on PostgreSQL also the database backends' CPU), the body size, and the servers'
RSS after the runs. Exit status 1 when a page misses the ratio. `--profile DIR` records
the real server with py-spy while it serves the `--profile-pages` and summarises the
profiles (bench.profile_summary).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text

from app.db import make_engine
from app.deps import SESSION_COOKIE
from app.settings import PROJECT_ROOT, Settings
from bench import profile_summary
from bench.common import (
    BACKENDS,
    generated_database,
    kept_database,
    login,
    pg_available,
    table,
)
from bench.http_ceiling import Page, PageKey, kept_headers, write_pages

RATIO_TARGET = 0.6
CONNECTIONS = 4
COORDINATOR = "bench-koordinator-0001"
CHILD_CASEWORKER = "bench-boern-0001"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
RESULT_PREFIX = "WRK_RESULT "
TARGETS = ("real", "ceiling", "floor")


@dataclass(frozen=True)
class PageSpec:
    key: str
    label: str
    user: str
    path: str  # "{youth}" stands for the young person shown


PAGES = (
    PageSpec("list", "/youths first page", COORDINATOR, "/youths"),
    PageSpec("list-deep", "/youths deep page", COORDINATOR, "/youths?page=400"),
    PageSpec("list-search", "/youths name search", COORDINATOR, "/youths?q=nielsen"),
    PageSpec("list-child", "/youths children's caseworker", CHILD_CASEWORKER, "/youths"),
    PageSpec("youth", "/youths/{id}", COORDINATOR, "/youths/{youth}"),
    PageSpec("network", "/youths/{id}/network", COORDINATOR, "/youths/{youth}/network"),
    PageSpec("tasks", "/tasks (coordinator)", COORDINATOR, "/tasks"),
    PageSpec("overview", "/overview", COORDINATOR, "/overview"),
    PageSpec("overview-csv", "/overview.csv", COORDINATOR, "/overview.csv"),
    PageSpec("api-youths", "/api/v1/youths", COORDINATOR, "/api/v1/youths"),
)
PAGE_KEYS = tuple(p.key for p in PAGES)


@dataclass(frozen=True)
class Round:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_s: float
    db_cpu_s: float | None
    bytes: int = 0  # received, headers included

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def short(self, body_bytes: int) -> bool:
        """Answers smaller than the page, e.g. redirects to the login page once a session
        has ended, which the load tool counts as answered."""
        return bool(self.requests) and self.bytes / self.requests < 0.9 * body_bytes


@dataclass
class PageResult:
    backend: str
    page: str
    url: str
    body_bytes: int
    load_average: float = 0.0  # the machine's, one minute, when the page's rounds ended
    rounds: dict[str, list[Round]] = field(default_factory=lambda: {t: [] for t in TARGETS})

    def rate(self, target: str) -> float:
        return statistics.median(r.rate for r in self.rounds[target])

    def p50(self, target: str) -> float:
        return statistics.median(r.p50_ms for r in self.rounds[target])

    def p99(self, target: str) -> float:
        return statistics.median(r.p99_ms for r in self.rounds[target])

    def cpu_ms(self, target: str, *, db: bool = False) -> float | None:
        rounds = self.rounds[target]
        requests = sum(r.requests for r in rounds)
        spent = [r.db_cpu_s if db else r.cpu_s for r in rounds]
        if not requests or any(s is None for s in spent):
            return None
        return 1000 * sum(s for s in spent if s is not None) / requests

    @property
    def ratio(self) -> float:
        ceiling = self.rate("ceiling")
        return self.rate("real") / ceiling if ceiling else 0.0

    @property
    def floor_ratio(self) -> float:
        floor = self.rate("floor")
        return self.rate("real") / floor if floor else 0.0

    @property
    def cpu_ratio(self) -> float | None:
        """The ceiling's CPU per request over the real one's (the app's and, on PostgreSQL,
        its database backends'): what the ratio of req/s would be if each server had a
        core to itself, so it holds on a busy machine where req/s wobble."""
        real, ceiling = self.cpu_ms("real"), self.cpu_ms("ceiling")
        if not real or ceiling is None:
            return None
        return ceiling / (real + (self.cpu_ms("real", db=True) or 0.0))

    @property
    def errors(self) -> int:
        """Failed requests, and every request of a round whose answers were short."""
        return sum(r.requests if r.short(self.body_bytes) else r.errors
                   for rounds in self.rounds.values() for r in rounds)


@dataclass(frozen=True)
class Memory:
    backend: str
    target: str
    rss_mb: float
    peak_mb: float


# --- the servers -----------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    app_name: str  # PostgreSQL application_name of its connections ("" for none)

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(settings: Settings, port: int, app_name: str) -> dict[str, str]:
    url = settings.effective_database_url
    if app_name:
        url += ("&" if "?" in url else "?") + f"application_name={app_name}"
    return {
        **os.environ, "ENVIRONMENT": settings.environment.value,
        "DATA_DIR": str(settings.data_dir), "DATABASE_URL": url,
        "SECRET_KEY": settings.secret_key, "SCHEDULER_ENABLED": "false",
        "MAIL_BACKEND": settings.mail_backend.value,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def start_server(name: str, settings: Settings, log_dir: Path, pages_file: Path | None,
                 stack: ExitStack) -> Server:
    port = free_port()
    app_name = f"bench-http-{name}" if not settings.is_sqlite else ""
    commands = {
        "real": ["-m", "app.cli", "serve", "--no-scheduler", "--port", str(port)],
        "ceiling": ["-m", "bench.http_ceiling", str(pages_file), "--port", str(port)],
        "floor": ["-m", "bench.http_floor", str(pages_file), "--port", str(port)],
    }
    log = stack.enter_context((log_dir / f"{name}.log").open("wb"))
    process = subprocess.Popen([sys.executable, *commands[name]], cwd=PROJECT_ROOT,
                               env=server_env(settings, port, app_name), stdout=log,
                               stderr=subprocess.STDOUT)
    server = Server(name, port, process, app_name)
    stack.callback(stop_server, server)
    wait_until_listening(server, log_dir / f"{name}.log")
    return server


def wait_until_listening(server: Server, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the {server.name} server stopped:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", server.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the {server.name} server did not start within {timeout:.0f} s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# --- /proc -----------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident set size now, its peak) in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


class DatabaseCpu:
    """The CPU time of the PostgreSQL backends serving one server's connections, when the
    database runs on this machine (None otherwise, and always on SQLite, where the
    database's work is in the server's own CPU time)."""

    def __init__(self, settings: Settings) -> None:
        self.engine = None if settings.is_sqlite else make_engine(settings)

    def sample(self, app_name: str) -> dict[int, float] | None:
        if self.engine is None or not app_name:
            return None
        with self.engine.connect() as conn:
            pids = conn.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = :name"
            ), {"name": app_name}).scalars().all()
        found = {}
        for pid in pids:
            try:
                found[pid] = cpu_seconds(pid)
            except FileNotFoundError:  # the connection closed in between
                continue
            except PermissionError:  # the database runs as someone we cannot see
                return None
        return found if found or not pids else None  # none here: not on this machine

    @staticmethod
    def spent(before: dict[int, float] | None, after: dict[int, float] | None) -> float | None:
        """CPU time between two samples; a backend opened in between counts in full."""
        if before is None or after is None:
            return None
        return sum(t - before.get(pid, 0.0) for pid, t in after.items())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


# --- the load tool ---------------------------------------------------------------------


def choose_load_tool(wanted: str) -> str:
    """wrk when it is there (installing it with apt-get when we are root), else Python."""
    if wanted == "python":
        return "python"
    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing; installing it with apt-get")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if shutil.which("wrk"):
        return "wrk"
    if wanted == "wrk":
        raise RuntimeError("wrk is not installed and could not be installed")
    print("wrk is missing and cannot be installed here; using bench.http_load (Python)")
    return "python"


def load_command(tool: str, url: str, cookie: str, seconds: float) -> list[str]:
    if tool == "wrk":
        return ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s",
                "--timeout", "10s", "-s", str(WRK_SCRIPT), "-H", f"Cookie: {cookie}", url]
    return [sys.executable, "-m", "bench.http_load", url, "--seconds", str(seconds),
            "--connections", str(CONNECTIONS), "--header", f"Cookie: {cookie}"]


def parse_result(output: str) -> dict[str, Any]:
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX):])
            return result
    raise RuntimeError(f"no result from the load tool:\n{output[-2000:]}")


def run_round(tool: str, server: Server, url: str, cookie: str, seconds: float,
              db: DatabaseCpu) -> Round:
    db_before = db.sample(server.app_name)
    cpu_before = cpu_seconds(server.pid)
    done = subprocess.run(load_command(tool, server.url(url), cookie, seconds),
                          capture_output=True, text=True, cwd=PROJECT_ROOT, check=False)
    cpu = cpu_seconds(server.pid) - cpu_before
    result = parse_result(done.stdout + done.stderr)
    return Round(
        requests=result["requests"], seconds=result["duration_us"] / 1e6,
        p50_ms=result["p50_us"] / 1000, p99_ms=result["p99_us"] / 1000,
        errors=sum(result["errors"].values()), cpu_s=cpu,
        db_cpu_s=DatabaseCpu.spent(db_before, db.sample(server.app_name)),
        bytes=result["bytes"],
    )


# --- one backend -----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    n: int
    seconds: float
    rounds: int
    warmup: float
    pages: tuple[PageSpec, ...]
    tool: str
    temporary: bool
    rebuild: bool
    profile_dir: Path | None
    profile_pages: tuple[str, ...]
    profile_seconds: float


@contextmanager
def database(backend: str, options: Options, today: date) -> Iterator[Settings]:
    if options.temporary:
        with generated_database(backend, options.n, today) as settings:
            yield settings
    else:
        yield kept_database(backend, options.n, today, rebuild=options.rebuild)


def shown_youth(settings: Settings) -> int:
    """An active young person in the transition with a network: the middle one by id."""
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            ids = conn.execute(text(
                "SELECT DISTINCT m.youth_id FROM network_member m "
                "JOIN youth y ON y.id = m.youth_id WHERE y.status = 'active' "
                "ORDER BY m.youth_id")).scalars().all()
    finally:
        engine.dispose()
    if not ids:
        raise RuntimeError("no young person with a network in the generated data")
    return int(ids[len(ids) // 2])


@dataclass(frozen=True)
class Login:
    session: str  # the session cookie's value
    cookie: str  # the Cookie header that goes with every request


def log_in(real: Server, users: set[str]) -> dict[str, Login]:
    """A session per user, through the real login form."""
    logins = {}
    for username in sorted(users):
        with httpx.Client(base_url=real.url("")) as client:
            login(client, username)
            logins[username] = Login(
                client.cookies[SESSION_COOKIE],
                "; ".join(f"{k}={v}" for k, v in client.cookies.items()))
    return logins


def capture(real: Server, urls: dict[str, str], specs: tuple[PageSpec, ...],
            logins: dict[str, Login]) -> dict[PageKey, Page]:
    pages = {}
    for spec in specs:
        url, user = urls[spec.key], logins[spec.user]
        response = httpx.get(real.url(url), headers={"Cookie": user.cookie}, timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"{url} as {spec.user}: {response.status_code}")
        pages[user.session, url] = Page(200, kept_headers(response.headers.multi_items()),
                                        response.content)
    return pages


def check_same_bytes(server: Server, pages: dict[PageKey, Page],
                     logins: dict[str, Login]) -> None:
    cookies = {login.session: login.cookie for login in logins.values()}
    for (session, url), page in pages.items():
        response = httpx.get(server.url(url), headers={"Cookie": cookies[session]}, timeout=30)
        if response.status_code != 200 or response.content != page.body:
            raise RuntimeError(f"the {server.name} server's {url} differs from the real one: "
                               f"{response.status_code} {response.content[:200]!r}")


def run_backend(backend: str, options: Options, today: date) -> tuple[
        list[PageResult], list[Memory], list[profile_summary.Summary]]:
    print(f"\n== {backend}, {options.n:,} young people, load tool {options.tool}, "
          f"load average {os.getloadavg()[0]:.2f} ==")
    with database(backend, options, today) as settings, ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-http-")))
        youth = shown_youth(settings)
        urls = {p.key: p.path.format(youth=youth) for p in PAGES}
        real = start_server("real", settings, work, None, stack)
        logins = log_in(real, {p.user for p in PAGES})
        pages = capture(real, urls, options.pages, logins)
        write_pages(work / "pages.json", pages)
        servers = {"real": real}
        for name in ("ceiling", "floor"):
            servers[name] = start_server(name, settings, work, work / "pages.json", stack)
            check_same_bytes(servers[name], pages, logins)
        db = DatabaseCpu(settings)
        stack.callback(db.close)
        results = [measure_page(backend, spec, urls[spec.key], servers,
                                logins[spec.user], pages, options, db)
                   for spec in options.pages]
        memory = [Memory(backend, name, *memory_mb(servers[name].pid))
                  for name in ("real", "ceiling")]
        summaries = profile(backend, options, urls, real, logins)
    return results, memory, summaries


def measure_page(backend: str, spec: PageSpec, url: str, servers: dict[str, Server],
                 user: Login, pages: dict[PageKey, Page], options: Options,
                 db: DatabaseCpu) -> PageResult:
    result = PageResult(backend, spec.label, url, len(pages[user.session, url].body))
    cookie = user.cookie
    if options.warmup:
        for target in TARGETS:
            run_round(options.tool, servers[target], url, cookie, options.warmup, db)
    for _ in range(options.rounds):
        for target in TARGETS:
            result.rounds[target].append(
                run_round(options.tool, servers[target], url, cookie, options.seconds, db))
    result.load_average = os.getloadavg()[0]
    print(f"  {spec.label}: {result.rate('real'):.0f} / {result.rate('ceiling'):.0f} / "
          f"{result.rate('floor'):.0f} req/s, ratio {result.ratio:.3f} "
          f"(load average {result.load_average:.1f})")
    return result


def profile(backend: str, options: Options, urls: dict[str, str], real: Server,
            logins: dict[str, Login]) -> list[profile_summary.Summary]:
    """py-spy on the real server while the load tool asks for each profiled page."""
    if options.profile_dir is None:
        return []
    options.profile_dir.mkdir(parents=True, exist_ok=True)
    py_spy = profile_summary.py_spy()
    specs = {p.key: p for p in PAGES}
    summaries = []
    for key in options.profile_pages:
        spec = specs[key]
        out = options.profile_dir / f"{backend}-{key}.txt"
        recorder = subprocess.Popen([
            py_spy, "record", "--pid", str(real.pid), "--duration",
            str(round(options.profile_seconds)), "--rate", "250", "--format", "raw",
            "--nolineno", "--output", str(out)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(load_command(options.tool, real.url(urls[key]), logins[spec.user].cookie,
                                    options.profile_seconds), capture_output=True,
                       check=False, cwd=PROJECT_ROOT)
        recorder.wait()
        summaries.append(profile_summary.summarise(out, f"{backend} {spec.label}"))
    return summaries


# --- output ----------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}" if value < 1 else f"{value:.1f}"


def result_rows(results: list[PageResult]) -> list[list[str]]:
    rows = []
    for r in results:
        verdict = "ok" if r.ratio >= RATIO_TARGET else "LOW"
        if r.errors:
            verdict += f" ({r.errors} errors)"
        rows.append([
            r.backend, r.page,
            f"{r.rate('real'):.0f} / {r.rate('ceiling'):.0f} / {r.rate('floor'):.0f}",
            f"{r.ratio:.3f} {verdict}",
            "–" if r.cpu_ratio is None else f"{r.cpu_ratio:.3f}",
            f"{r.floor_ratio:.3f}",
            f"{r.p50('real'):.1f} / {r.p50('ceiling'):.1f}",
            f"{r.p99('real'):.1f} / {r.p99('ceiling'):.1f}",
            " / ".join(_ms(r.cpu_ms(t)) for t in TARGETS),
            _ms(r.cpu_ms("real", db=True)),
            f"{r.body_bytes / 1024:.1f} KB",
        ])
    return rows


HEADERS = ["backend", "page", "req/s real / ceiling / floor", "real/ceiling", "CPU ratio",
           "real/floor", "p50 ms real / ceiling", "p99 ms real / ceiling",
           "CPU ms/req real / ceiling / floor", "db CPU ms/req", "body"]


def conditions(options: Options, tool: str) -> str:
    return (f"{options.n:,} young people; uvicorn, 1 worker each; {tool} with "
            f"{CONNECTIONS} connections, {options.rounds} round(s) of {options.seconds:g} s "
            f"per server and page, real, ceiling and floor in turn; {os.cpu_count()} CPUs, "
            f"load average {os.getloadavg()[0]:.2f} at the end")


def report(results: list[PageResult], memory: list[Memory],
           summaries: list[profile_summary.Summary], conditions: str) -> None:
    print()
    print(conditions)
    print(table(HEADERS, result_rows(results)))
    print()
    print(table(["backend", "server", "RSS MB after the runs", "peak RSS MB"],
                [[m.backend, m.target, f"{m.rss_mb:.0f}", f"{m.peak_mb:.0f}"]
                 for m in memory]))
    for summary in summaries:
        print()
        print(profile_summary.render(summary))


def write_json(path: Path, results: list[PageResult], memory: list[Memory],
               conditions: str) -> None:
    path.write_text(json.dumps({
        "conditions": conditions,
        "measured_at": datetime.now(ZoneInfo("Europe/Copenhagen")).isoformat(),
        "pages": [asdict(r) for r in results],
        "memory": [asdict(m) for m in memory],
    }, indent=2))


def show_json(path: Path) -> None:
    """Prints the tables of a run saved with --json, e.g. to set before beside after."""
    saved = json.loads(path.read_text())
    results = []
    for page in saved["pages"]:
        saved_rounds = page.pop("rounds")
        rounds = {t: [Round(**r) for r in saved_rounds[t]] for t in TARGETS}
        results.append(PageResult(**page, rounds=rounds))
    memory = [Memory(**m) for m in saved["memory"]]
    report(results, memory, [], f"{saved['conditions']} (measured {saved['measured_at']})")


# --- the command -----------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.http", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--seconds", type=float, default=15,
                        help="length of a round per server and page")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=2,
                        help="seconds per server and page before the rounds, not counted")
    parser.add_argument("--pages", default=",".join(PAGE_KEYS),
                        help=f"comma-separated, from {', '.join(PAGE_KEYS)}")
    parser.add_argument("--load-tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--temporary", action="store_true",
                        help="generate a throwaway database instead of the kept one")
    parser.add_argument("--rebuild", action="store_true",
                        help="generate the kept database anew")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--show", type=Path, metavar="FILE",
                        help="print the tables of a run saved with --json, and nothing else")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="record the real server with py-spy into DIR")
    parser.add_argument("--profile-pages", default="tasks,overview")
    parser.add_argument("--profile-seconds", type=float, default=15)
    return parser.parse_args(argv)


def options_from(args: argparse.Namespace) -> Options:
    wanted = [k.strip() for k in args.pages.split(",") if k.strip()]
    profiled = [k.strip() for k in args.profile_pages.split(",") if k.strip()]
    unknown = [k for k in wanted + profiled if k not in PAGE_KEYS]
    if unknown:
        raise SystemExit(f"unknown pages: {', '.join(unknown)} (known: {', '.join(PAGE_KEYS)})")
    return Options(
        n=args.n, seconds=args.seconds, rounds=args.rounds, warmup=args.warmup,
        pages=tuple(p for p in PAGES if p.key in wanted), tool=choose_load_tool(args.load_tool),
        temporary=args.temporary, rebuild=args.rebuild, profile_dir=args.profile,
        profile_pages=tuple(profiled), profile_seconds=args.profile_seconds,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        show_json(args.show)
        return 0
    options = options_from(args)
    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    results: list[PageResult] = []
    memory: list[Memory] = []
    summaries: list[profile_summary.Summary] = []
    for backend in BACKENDS if args.backend == "both" else (args.backend,):
        if backend == "postgresql" and not pg_available():
            print("postgresql: not reachable (set BENCH_DATABASE_URL); skipped")
            continue
        found = run_backend(backend, options, today)
        results += found[0]
        memory += found[1]
        summaries += found[2]
    said = conditions(options, options.tool)
    report(results, memory, summaries, said)
    if args.json:
        write_json(args.json, results, memory, said)
    return 0 if all(r.ratio >= RATIO_TARGET and not r.errors for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
