#!/usr/bin/env python3
"""Sign-in storm: N simultaneous sign-ins against the release server, watching its memory.

Each sign-in costs an argon2id hash (19 MiB, tens of milliseconds of a core). The server
hashes at most one per core at a time; the rest wait briefly, then get 503 with Retry-After.
This script shows that the server's memory stays bounded while they arrive and returns to
its idle level afterwards.

    python3 scripts/sign-in-storm.py [--requests 500] [--limit-mb 100] [BINARY]

BINARY defaults to $CARGO_TARGET_DIR/release/helpdesk (built by `cargo leptos build
--release`). Exits non-zero when the peak resident memory reaches --limit-mb, when memory
afterwards stays more than 10 % (+ 4 MB) above idle, or when any answer is not 200, 401 (wrong password), 429 or 503.
"""

import argparse
import asyncio
import collections
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


async def sign_in(port, email, password):
    """One POST /api/auth/login on its own connection; the HTTP status (0 if the connection failed)."""
    body = json.dumps({"email": email, "password": password}).encode()
    head = (
        f"POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(head + body)
        await writer.drain()
        answer = await reader.read()
        writer.close()
        return int(answer.split(b" ", 2)[1])
    except (OSError, IndexError, ValueError):
        return 0


async def storm(port, pid, requests):
    peak = 0.0
    done = asyncio.Event()

    async def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, rss_mb(pid))
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    # Half right, half wrong passwords, over the five demo accounts (failures are limited per
    # account and address, so wrong guesses soon stop costing hashes at all).
    accounts = [("user@gmail.com", "user123"), ("jane@gmail.com", "jane123"), ("agent@gmail.com", "agent123"),
                ("admin@gmail.com", "admin123"), ("superadmin@gmail.com", "superadmin123")]
    calls = []
    for i in range(requests):
        email, password = accounts[i % len(accounts)]
        calls.append(sign_in(port, email, password if i % 2 == 0 else "wrong-password"))
    started = time.monotonic()
    statuses = await asyncio.gather(*calls)
    elapsed = time.monotonic() - started
    done.set()
    await sampler
    return statuses, max(peak, rss_mb(pid, "VmHWM")), elapsed


def start_server(binary, work, name, **limits):
    """The release server on a free port with the demo data and `limits` (environment
    settings), once it answers a sign-in; returns the process and its port."""
    port = free_port()
    env = dict(os.environ, HELPDESK_ADDR=f"127.0.0.1:{port}", HELPDESK_DATABASE_URL="sqlite::memory:",
               HELPDESK_DEMO="true", HELPDESK_OUTBOX_DIR=os.path.join(work, f"{name}-outbox"), RUST_LOG="error", **limits)
    server = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if asyncio.run(sign_in(port, "user@gmail.com", "user123")) == 200:
            break
        if server.poll() is not None:
            sys.exit(f"the server exited: {server.returncode}")
        time.sleep(0.05)
    return server, port


def office(binary, work):
    """200 simultaneous sign-ins with the right password from one address (an office behind
    one NAT address) at the default limits, then a sign-in to another account from it, which
    must succeed: right passwords never count as failures."""
    server, port = start_server(binary, work, "office")
    try:
        accounts = [("user@gmail.com", "user123"), ("jane@gmail.com", "jane123"), ("agent@gmail.com", "agent123"),
                    ("superadmin@gmail.com", "superadmin123")]

        async def everyone():
            return await asyncio.gather(*(sign_in(port, *accounts[i % len(accounts)]) for i in range(200)))
        statuses = asyncio.run(everyone())
        after = asyncio.run(sign_in(port, "admin@gmail.com", "admin123"))
        return statuses, after
    finally:
        server.terminate()
        server.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("binary", nargs="?", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.expanduser("~/.cache/helpdesk-target")), "release", "helpdesk"))
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--limit-mb", type=float, default=100.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="helpdesk-storm-") as work:
        # Limits out of the way: this part measures memory under hashing load.
        unlimited = {name: "100000" for name in (
            "HELPDESK_LOGIN_FAILURES_PER_IP", "HELPDESK_LOGIN_FAILURES_PER_ACCOUNT", "HELPDESK_LOGIN_FAILURES_PER_ACCOUNT_TOTAL",
            "HELPDESK_SIGN_INS_PER_ACCOUNT", "HELPDESK_SIGN_INS_IN_FLIGHT_PER_IP")}
        server, port = start_server(args.binary, work, "storm", **unlimited)
        try:
            for _ in range(3):  # warm-up: the first hashes allocate the pools' steady state
                asyncio.run(sign_in(port, "user@gmail.com", "user123"))
            time.sleep(1)
            idle = rss_mb(server.pid)
            statuses, peak, elapsed = asyncio.run(storm(port, server.pid, args.requests))
            time.sleep(8)  # the server trims its heap every 5 s
            after = rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)
        office_statuses, office_after = office(args.binary, work)

    counts = collections.Counter(statuses)
    print(f"{args.requests} simultaneous sign-ins in {elapsed:.1f} s: "
          + ", ".join(f"{n} × {status or 'connection failed'}" for status, n in sorted(counts.items())))
    print(f"resident memory: idle {idle:.1f} MB, peak {peak:.1f} MB, 8 s after {after:.1f} MB (limit {args.limit_mb:.0f} MB)")
    problems = []
    if peak >= args.limit_mb:
        problems.append(f"peak {peak:.1f} MB reached the limit of {args.limit_mb:.0f} MB")
    if after > idle * 1.10 + 4:
        problems.append(f"memory did not return to idle ({after:.1f} MB after, {idle:.1f} MB before)")
    unexpected = {s: n for s, n in counts.items() if s not in (200, 401, 429, 503)}
    if unexpected:
        problems.append(f"unexpected answers: {unexpected}")
    if counts.get(200, 0) == 0:
        problems.append("no sign-in succeeded")
    office_counts = collections.Counter(office_statuses)
    print(f"an office at default limits, {len(office_statuses)} simultaneous right passwords from one address: "
          + ", ".join(f"{n} × {status or 'connection failed'}" for status, n in sorted(office_counts.items()))
          + f"; then another account's sign-in from it: {office_after}")
    if set(office_counts) - {200, 429, 503}:
        problems.append(f"right passwords answered otherwise than 200, 429 or 503: {dict(office_counts)}")
    if office_after != 200:
        problems.append(f"after the office's sign-ins, another account's sign-in from its address got {office_after}")
    for problem in problems:
        print("FAIL:", problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
