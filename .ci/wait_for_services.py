"""Fail fast, with a clear message, when a service the tests need is not listening."""

import socket
import sys
import time

SERVICES = {"PostgreSQL": ("127.0.0.1", 5432), "Redis": ("127.0.0.1", 6379)}
DEADLINE_SECONDS = 30


def is_listening(address: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    missing = dict(SERVICES)
    deadline = time.monotonic() + DEADLINE_SECONDS
    while missing and time.monotonic() < deadline:
        missing = {name: addr for name, addr in missing.items() if not is_listening(addr)}
        if missing:
            time.sleep(1)
    for name, (host, port) in SERVICES.items():
        print(f"{name:<11} {host}:{port} {'MISSING' if name in missing else 'ok'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
