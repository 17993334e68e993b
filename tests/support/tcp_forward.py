#!/usr/bin/env python3
"""Forwards TCP connections from 127.0.0.1:LISTEN to 127.0.0.1:TARGET for SECONDS, then exits.

The e2e tests start it a while after the server, to play a database that comes up late.
Usage: tcp_forward.py LISTEN TARGET SECONDS
"""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main(listen, target, seconds):
    async def forward(client_reader, client_writer):
        try:
            target_reader, target_writer = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, target_writer),
                             pipe(target_reader, client_writer))

    server = await asyncio.start_server(forward, "127.0.0.1", listen)
    async with server:
        await asyncio.sleep(seconds)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
