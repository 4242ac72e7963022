"""The event loop's end of a worker's pipe: messages in and out without ever waiting for the worker.

The worker keeps an ordinary ``multiprocessing`` connection (blocking, in its own process). This
end speaks the same framing (a 4-byte big-endian length, or -1 and then 8 bytes past 2 GiB, then
the pickle) on its socket made non-blocking: a message larger than the socket's buffer (a
comparison's runs, 100 KB and more, going to be stored or coming back) is written and read piece
by piece as the worker keeps up, while the loop serves everyone else. A blocking connection made
the loop wait until the worker was scheduled and drained it: milliseconds per large message once
both cores were busy, and every client's next event waited as long.
"""

from __future__ import annotations

import asyncio
import os
import struct
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from typing import Any

_READ = 1 << 20
_SIZE = struct.Struct("!i")
_LONG_SIZE = struct.Struct("!Q")


def frame(message: Any) -> bytes:
    """``message`` as ``Connection.send`` writes it."""
    data = bytes(ForkingPickler.dumps(message))
    if len(data) > 0x7FFFFFFF:
        return _SIZE.pack(-1) + _LONG_SIZE.pack(len(data)) + data
    return _SIZE.pack(len(data)) + data


class Channel:
    """``send`` queues a message and writes what the socket takes now; each message read is handed
    to ``received``; ``closed`` is called once when the other end has gone."""

    def __init__(
        self,
        conn: Connection,
        loop: asyncio.AbstractEventLoop,
        received: Callable[[Any], None],
        closed: Callable[[], None],
    ) -> None:
        self.conn, self.loop = conn, loop
        self.fd = conn.fileno()
        self._received, self._closed = received, closed
        self._in = bytearray()
        self._out = bytearray()
        self._open = True
        os.set_blocking(self.fd, False)
        loop.add_reader(self.fd, self._readable)

    def send(self, message: Any) -> None:
        """Raises only if ``message`` does not pickle; a worker gone is reported by ``closed``."""
        data = frame(message)
        if not self._open:
            return
        if self._out:
            self._out += data
            return
        written = self._write(data)
        if written < len(data):
            self._out += data[written:]
            self.loop.add_writer(self.fd, self._writable)

    def _write(self, data: bytes | bytearray) -> int:
        try:
            return os.write(self.fd, data)
        except BlockingIOError:
            return 0
        except OSError:  # the worker is gone: its end of the socket says so to the reader
            return len(data)

    def _writable(self) -> None:
        del self._out[: self._write(self._out)]
        if not self._out:
            self.loop.remove_writer(self.fd)

    def _readable(self) -> None:
        ended = False
        try:
            while True:
                chunk = os.read(self.fd, _READ)
                if not chunk:
                    ended = True
                    break
                self._in += chunk
                if len(chunk) < _READ:
                    break
        except BlockingIOError:
            pass
        except OSError:
            ended = True
        self._deliver()  # what came before the end, too
        if ended:
            self._gone()

    def _deliver(self) -> None:
        while len(self._in) >= _SIZE.size:
            (size,) = _SIZE.unpack_from(self._in)
            start = _SIZE.size
            if size == -1:
                if len(self._in) < start + _LONG_SIZE.size:
                    return
                (size,) = _LONG_SIZE.unpack_from(self._in, start)
                start += _LONG_SIZE.size
            if len(self._in) < start + size:
                return
            message = ForkingPickler.loads(self._in[start : start + size])
            del self._in[: start + size]
            self._received(message)
            if not self._open:
                return

    def _gone(self) -> None:
        if self._open:
            self.close()
            self._closed()

    def stop_reading(self) -> None:
        """Messages that still come are dropped (what is queued to go out still goes)."""
        if self._open:
            self.loop.remove_reader(self.fd)

    def close(self) -> None:
        if self._open:
            self._open = False
            self.loop.remove_reader(self.fd)
            self.loop.remove_writer(self.fd)
            self.conn.close()
