"""A small HTTP load tool for when wrk is missing: `--connections` keep-alive connections
each sending GET requests back to back for `--seconds`, then one line in the format of
bench/wrk_report.lua.

    python -m bench.http_load URL --seconds 10 --connections 4 [--header 'Cookie: ...']

It is Python (httpx and asyncio), so on a small machine it tops out at a few thousand
requests a second and takes CPU from the server: figures from it understate fast pages,
the ceiling most of all. bench.http says which tool its figures came from.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx

RESULT_PREFIX = "WRK_RESULT "


async def _worker(client: httpx.AsyncClient, url: str, deadline: float,
                  latencies: list[float], errors: dict[str, int]) -> int:
    received = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            response = await client.get(url)
        except httpx.TimeoutException:
            errors["timeout"] += 1
            continue
        except httpx.HTTPError:
            errors["read"] += 1
            continue
        latencies.append(time.perf_counter() - started)
        received += len(response.content)
        if response.status_code >= 400:
            errors["status"] += 1
    return received


def percentile(sorted_values: list[float], share: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(share * len(sorted_values)))]


async def run(url: str, seconds: float, connections: int, headers: dict[str, str]) -> dict[
        str, object]:
    latencies: list[float] = []
    errors = {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
        started = time.perf_counter()
        deadline = started + seconds
        received = await asyncio.gather(*(
            _worker(client, url, deadline, latencies, errors) for _ in range(connections)))
        duration = time.perf_counter() - started
    latencies.sort()

    def us(value: float) -> int:
        return round(value * 1_000_000)

    return {
        "requests": len(latencies), "duration_us": us(duration), "bytes": sum(received),
        "p50_us": us(percentile(latencies, 0.5)), "p90_us": us(percentile(latencies, 0.9)),
        "p99_us": us(percentile(latencies, 0.99)),
        "max_us": us(latencies[-1] if latencies else 0.0), "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args(argv)
    headers = dict(h.split(": ", 1) for h in args.header)
    result = asyncio.run(run(args.url, args.seconds, args.connections, headers))
    print(RESULT_PREFIX + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
