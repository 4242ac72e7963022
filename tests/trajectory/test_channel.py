"""The event loop's end of a worker's pipe: it never waits for the other end, and speaks the framing
of a multiprocessing connection both ways (small and large messages, in order), then sees it close."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Any

import numpy as np

from app.trajectory.channel import Channel

WAIT = 30.0  # a bound on waits, never a timing assertion


def test_messages_go_both_ways_without_waiting_for_the_other_end() -> None:
    big = np.arange(1_000_000, dtype=np.float64)  # 8 MB: far more than a socket's buffer
    messages: list[Any] = [("small", 1), big, {"nested": [big[:10], None]}, None]

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        ours, theirs = multiprocessing.Pipe(duplex=True)
        got: list[Any] = []
        arrived, ended = asyncio.Event(), asyncio.Event()

        def received(message: Any) -> None:
            got.append(message)
            if len(got) == len(messages):
                arrived.set()

        channel = Channel(ours, loop, received, ended.set)
        for message in messages:
            channel.send(message)  # nobody reads yet: a blocking send would never return
        echoed = await asyncio.to_thread(lambda: [theirs.recv() for _ in messages])

        def send_back() -> None:
            for message in echoed:
                theirs.send(message)

        echo = threading.Thread(target=send_back)
        echo.start()
        await asyncio.wait_for(arrived.wait(), WAIT)
        echo.join()
        theirs.close()
        await asyncio.wait_for(ended.wait(), WAIT)
        for sent, back in ((messages, echoed), (messages, got)):
            assert back[0] == sent[0] and back[3] is None
            assert np.array_equal(back[1], big) and np.array_equal(back[2]["nested"][0], big[:10])
        channel.close()

    asyncio.run(scenario())
