"""How fairly each event loop serves connections when one uvicorn process is saturated.

    uv run python bench/loop_fairness.py             # 300 µs of work per request
    uv run python bench/loop_fairness.py --work-us 50

The app below is a bare FastAPI endpoint that burns a fixed amount of CPU per request (about
what a cached read of the reference app costs), so that the server, not wrk, is the bottleneck.
It runs under uvloop and under asyncio, and wrk drives each at 64 and at 1000 connections. With
both saturated, throughput is nearly the same; what differs is how long the unluckiest requests
wait (p99) and whether any wait past wrk's 5-second timeout (errors). This is why the reference
app's ``serve`` command runs asyncio (``SERVER_LOOP`` in ``reference_app/cli.py``).
"""

import argparse
import os
import sys
import time

from fastapi import FastAPI

WORK_SECONDS = int(os.environ.get("BENCH_WORK_US", "300")) / 1_000_000

app = FastAPI()


@app.get("/")
async def busy() -> dict[str, str]:
    """Hold the event loop for WORK_SECONDS of CPU, like a handler that never awaits."""
    deadline = time.perf_counter() + WORK_SECONDS
    while time.perf_counter() < deadline:
        pass
    return {"message": "ok"}


def main() -> int:
    # Imported here, not at the top: uvicorn imports this module to serve ``app``, and run_bench
    # imports the reference app, whose modules would sit in the measured server's heap.
    from run_bench import raise_open_file_limit, run_wrk, uvicorn_server

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-us", type=int, default=300, help="CPU µs per request")
    parser.add_argument("--seconds", type=int, default=8, help="duration of each wrk run")
    args = parser.parse_args()
    raise_open_file_limit()
    env = {**os.environ, "BENCH_WORK_US": str(args.work_us)}
    print(f"{args.work_us} µs of work per request, {args.seconds} s per run\n")
    print("| loop | connections | req/s | p50 ms | p90 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for loop in ("uvloop", "asyncio"):
        with uvicorn_server("loop_fairness:app", env, factory=False, loop=loop) as base:
            for connections in (64, 1000):
                r = run_wrk(loop, base + "/", connections=connections, seconds=args.seconds)
                print(
                    f"| {loop} | {connections} | {r.requests_per_second:,.0f} | {r.p50_ms:.1f} | "
                    f"{r.p90_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
