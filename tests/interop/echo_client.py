"""Echo client for tests: N concurrent connections, each checking its bytes.

usage: echo_client.py HOST PORT CONNECTIONS ROUNDS SEED
Each connection sends ROUNDS random messages (1 byte .. 64 KiB) and reads
each one back before the next; exits 0 only if every byte came back.
"""
import asyncio
import random
import sys


async def one(host, port, rounds, rng, stats):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(rounds):
            n = rng.choice([1, 2, 100, 1400, 4096, rng.randint(1, 65536)])
            msg = rng.randbytes(n)
            writer.write(msg)
            await writer.drain()
            got = await reader.readexactly(n)
            if got != msg:
                raise RuntimeError("echoed bytes differ")
            stats["bytes"] += n
        writer.write_eof()
        rest = await reader.read()
        if rest:
            raise RuntimeError("bytes after end of stream")
    finally:
        writer.close()
    stats["ok"] += 1


async def main():
    host, port, conns, rounds, seed = sys.argv[1:6]
    conns, rounds = int(conns), int(rounds)
    rng = random.Random(int(seed))
    stats = {"ok": 0, "bytes": 0}
    tasks = [one(host, int(port), rounds, random.Random(rng.random()), stats)
             for _ in range(conns)]
    results = await asyncio.wait_for(
        asyncio.gather(*tasks, return_exceptions=True), timeout=120)
    errors = [r for r in results if isinstance(r, BaseException)]
    print(f"{stats['ok']}/{conns} connections ok, {stats['bytes']} bytes echoed")
    for e in errors[:5]:
        print(f"error: {e!r}")
    sys.exit(0 if not errors and stats["ok"] == conns else 1)


asyncio.run(main())
