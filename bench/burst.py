#!/usr/bin/env python3
"""A burst of GETs at once, each on its own connection: how long each took and which
`source` the mission-ideas answers name. Prints one line of key=value pairs.

  burst.py --port P --token T --target /api/v1/... [--requests 1000] [--concurrency 200]
"""
import argparse
import asyncio
import json
import time


async def one(port, target, token, results):
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write((f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      f"Authorization: Bearer {token}\r\nConnection: close\r\n\r\n").encode())
        await writer.drain()
        raw = await reader.read()
        writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        source = json.loads(body).get("source", "?") if status == 200 else "error"
    except (OSError, ValueError, IndexError):
        status, source = 0, "error"
    results.append((time.monotonic() - started, status, source))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--concurrency", type=int, default=200)
    a = p.parse_args()
    results = []
    gate = asyncio.Semaphore(a.concurrency)

    async def limited():
        async with gate:
            await one(a.port, a.target, a.token, results)

    await asyncio.gather(*(limited() for _ in range(a.requests)))
    times = sorted(r[0] * 1000 for r in results)
    pick = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    sources = {}
    for _, _, s in results:
        sources[s] = sources.get(s, 0) + 1
    ok = sum(1 for r in results if r[1] == 200)
    print(f"requests={len(results)} ok={ok} errors={len(results) - ok} "
          f"p50_ms={pick(0.50):.1f} p99_ms={pick(0.99):.1f} "
          + " ".join(f"{k}={v}" for k, v in sorted(sources.items())))


asyncio.run(main())
