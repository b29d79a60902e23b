"""A summary of a py-spy profile (`py-spy record --format raw --nolineno`): where a
server's busy threads spend their time.

    python -m bench.profile_summary PROFILE.txt [--top 10]

Samples of threads waiting for work are left out: the thread pool's idle workers, and the
event loop inside uvloop's C code (mostly waiting on its sockets; its own work there, parsing
and writing, is small beside Python's). Of the rest it prints the functions with the most
self time, the share of each part of the stack, decided by the innermost frame that belongs
to a part: a statement running in the database driver (SQLite's engine, or psycopg waiting
for PostgreSQL), SQLAlchemy/SQLModel's own Python, Jinja2 rendering (templates included),
pydantic, the app's code, and the web stack (uvicorn, Starlette, FastAPI, anyio, asyncio,
logging); and which of the app's functions the time in the driver is spent for.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")
IDLE_LEAVES = frozenset({
    ("Condition.wait", "threading.py"), ("Event.wait", "threading.py"),
    ("Thread._wait_for_tstate_lock", "threading.py"), ("wait", "threading.py"),
    ("Runner.run", "asyncio/runners.py"),
})
# Leaves where SQLAlchemy has handed the statement to the DB-API driver (C for sqlite3).
DRIVER_LEAVES = frozenset({"do_execute", "do_executemany", "do_execute_no_params",
                           "fetchall", "fetchone", "fetchmany"})
DRIVER_FILES = ("psycopg/", "psycopg_binary/", "psycopg_pool/", "sqlite3/")
PARTS = (
    ("SQLAlchemy/SQLModel", ("sqlalchemy/", "sqlmodel/")),
    ("Jinja2", ("jinja2/", "jinja2_fragments/", "markupsafe/")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
    ("app", ("app/",)),
    ("web stack", ("uvicorn/", "starlette/", "fastapi/", "anyio/", "asyncio/", "h11/",
                   "httptools/", "logging/", "concurrent/", "contextlib.py", "threading.py")),
)
DRIVER = "SQL in the driver"
OTHER = "other"


@dataclass(frozen=True)
class Summary:
    title: str
    busy_samples: int
    idle_samples: int
    top: list[tuple[str, int]]  # "function (file)", samples of self time
    parts: list[tuple[str, int]]  # part, samples
    sql_callers: list[tuple[str, int]]  # the innermost app function, samples in the driver

    def share(self, samples: int) -> float:
        return samples / self.busy_samples if self.busy_samples else 0.0


def py_spy() -> str:
    """The py-spy executable, installed from PyPI into this environment when missing."""
    found = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if found:
        return found
    print("py-spy is missing; installing it with pip")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "py-spy"], check=True)
    found = shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError("py-spy could not be installed")
    return found


def parse_frame(frame: str) -> tuple[str, str]:
    match = FRAME.match(frame)
    return (match["function"], match["file"]) if match else (frame, "")


def part_of(frames: list[tuple[str, str]]) -> str:
    function, file = frames[-1]
    if file.startswith(DRIVER_FILES) or (
            file.startswith("sqlalchemy/engine/") and function.split(".")[-1] in DRIVER_LEAVES):
        return DRIVER
    for _function, file in reversed(frames):
        if file.endswith(".html"):
            return "Jinja2"
        if file == "app/cli.py":
            continue
        for part, prefixes in PARTS:
            if file.startswith(prefixes):
                return part
    return OTHER


def app_caller(frames: list[tuple[str, str]]) -> str:
    """The innermost frame of the app's code or of a template (a lazy load while rendering)."""
    for function, file in reversed(frames):
        if (file.startswith("app/") and file != "app/cli.py") or file.endswith(".html"):
            return f"{function} ({file})"
    return "(outside the app)"


def summarise(path: Path, title: str, top: int = 10) -> Summary:
    self_time: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    callers: Counter[str] = Counter()
    idle = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [parse_frame(f) for f in stack.split(";")]
        if frames[-1] in IDLE_LEAVES:
            idle += int(count)
            continue
        self_time[f"{frames[-1][0]} ({frames[-1][1]})"] += int(count)
        part = part_of(frames)
        parts[part] += int(count)
        if part == DRIVER:
            callers[app_caller(frames)] += int(count)
    return Summary(title, sum(parts.values()), idle, self_time.most_common(top),
                   parts.most_common(), callers.most_common(5))


def render(summary: Summary) -> str:
    lines = [f"profile: {summary.title} ({summary.busy_samples} busy samples, "
             f"{summary.idle_samples} idle left out)"]
    lines.append("  share of busy samples: " + ", ".join(
        f"{part} {summary.share(n):.0%}" for part, n in summary.parts))
    lines.append("  most self time:")
    lines += [f"    {summary.share(n):5.1%}  {name}" for name, n in summary.top]
    if summary.sql_callers:
        lines.append("  time in the driver, by the app function it is for:")
        lines += [f"    {summary.share(n):5.1%}  {name}" for name, n in summary.sql_callers]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    print(render(summarise(args.profile, str(args.profile), args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
