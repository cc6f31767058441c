"""Small TCP proxies that count what the product says to PostgreSQL and Redis, on the wire.

``bench/webhook_pipeline.py --idle-costs`` puts them between the product's processes
and the servers (the product's ``DATABASE_URL`` and ``REDIS_URL`` name the proxy), so
the counts are what really reached the servers, whatever layer (ORM, Core, RQ,
redis-py) issued them, and nothing of the benchmark's own traffic: the benchmark talks
to the servers directly or through a listener of its own that is parsed but kept apart.

* PostgreSQL (frontend protocol v3): every Query ``Q`` and Execute ``E`` message is a
  statement that reached the server; its text comes from the ``Q`` itself or from the
  ``Parse`` behind the executed portal, so statements are also counted by their first
  word (``COMMIT``, ``SELECT``…). TLS cannot be read: the proxy's URL turns it off.
* Redis (RESP): a round trip is a client write answered by the server (bytes from the
  client, then bytes back), so a pipeline or a ``MULTI``/``EXEC`` block sent at once is
  one; commands are counted by name as sent.

Each connection gets two threads (one per direction): fine for the few dozen
connections of an idle-cost measurement, not meant for load.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable

PG_SSL_REQUEST = 80877103
PG_GSSENC_REQUEST = 80877104
PG_CANCEL_REQUEST = 80877102


class Tally:
    """Counters shared by every connection of one listener (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, key: str, amount: int = 1) -> None:
        """Add ``amount`` to ``key``."""
        with self._lock:
            self._counts[key] += amount

    def snapshot(self) -> Counter[str]:
        """A copy of the counters now (subtract two snapshots for a window)."""
        with self._lock:
            return Counter(self._counts)


class PgStream:
    """Reads the client side of one PostgreSQL connection and tallies its statements."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.buffer = b""
        self.started = False  # past the untyped startup packets
        self.statements: dict[bytes, str] = {}  # prepared statement name → first word
        self.portals: dict[bytes, str] = {}  # portal name → first word of its statement

    @staticmethod
    def _verb(query: bytes) -> str:
        words = query.split(None, 1)
        verb = words[0].decode(errors="replace").upper().rstrip(";") if words else ""
        return verb or "(empty)"  # SQLAlchemy's pool pre-ping sends an empty statement

    def _statement(self, verb: str) -> None:
        self.tally.add("statements")
        self.tally.add(f"sql:{verb}")
        if verb in ("COMMIT", "END"):
            self.tally.add("commits")

    def feed(self, data: bytes) -> None:
        """Take the next bytes the client sent; count every complete message in them."""
        self.buffer += data
        while True:
            if not self.started:
                if len(self.buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self.buffer[:8])
                if len(self.buffer) < length:
                    return
                self.buffer = self.buffer[length:]
                # SSL/GSS requests come before the real startup packet (refused by the
                # server, since the URL asks for no TLS); the startup packet ends the phase.
                self.started = code not in (PG_SSL_REQUEST, PG_GSSENC_REQUEST)
                continue
            if len(self.buffer) < 5:
                return
            kind = self.buffer[:1]
            (length,) = struct.unpack("!i", self.buffer[1:5])
            if len(self.buffer) < 1 + length:
                return
            body, self.buffer = self.buffer[5 : 1 + length], self.buffer[1 + length :]
            self._message(kind, body)

    def _message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":  # simple query: the text is right here
            self._statement(self._verb(body.rstrip(b"\0")))
        elif kind == b"P":  # Parse: name, query text
            name, rest = body.split(b"\0", 1)
            self.statements[name] = self._verb(rest.split(b"\0", 1)[0])
        elif kind == b"B":  # Bind: portal, statement
            portal, rest = body.split(b"\0", 1)
            self.portals[portal] = self.statements.get(rest.split(b"\0", 1)[0], "(unknown)")
        elif kind == b"E":  # Execute a portal
            self._statement(self.portals.get(body.split(b"\0", 1)[0], "(unknown)"))


class RespStream:
    """Reads the client side of one Redis connection and tallies commands by name."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.buffer = b""

    def feed(self, data: bytes) -> None:
        """Take the next bytes the client sent; count every complete command in them."""
        self.buffer += data
        while self.buffer:
            parsed = self._command()
            if parsed is None:
                return
            name, used = parsed
            self.buffer = self.buffer[used:]
            self.tally.add(f"cmd:{name}")
            self.tally.add("commands")

    def _command(self) -> tuple[str, int] | None:
        """(name, bytes used) of the first complete command in the buffer, or None."""
        end = self.buffer.find(b"\r\n")
        if end < 0:
            return None
        if self.buffer[:1] != b"*":  # an inline command: one line
            words = self.buffer[:end].split()
            return (words[0].decode(errors="replace").lower() if words else "(empty)"), end + 2
        count, pos, name = int(self.buffer[1:end]), end + 2, ""
        for index in range(count):
            end = self.buffer.find(b"\r\n", pos)
            if end < 0:
                return None
            size = int(self.buffer[pos + 1 : end])
            start, pos = end + 2, end + 2 + size + 2
            if pos > len(self.buffer):
                return None
            if index == 0:
                name = self.buffer[start : start + size].decode(errors="replace").lower()
        return name, pos


class Proxy:
    """Listens on 127.0.0.1 and relays each connection to ``target``, feeding the client's
    bytes to a parser and counting round trips (a client write, then an answer)."""

    def __init__(
        self, target: tuple[str, int], parser: Callable[[Tally], PgStream | RespStream]
    ) -> None:
        self.target = target
        self.parser = parser
        self.tally = Tally()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self._closing = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name=f"proxy-{self.port}", daemon=True).start()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, server]
            # Set by the client's bytes, cleared (and counted) by the server's first answer.
            awaiting = threading.Event()
            stream = self.parser(self.tally)
            threading.Thread(
                target=self._pump, args=(client, server, stream, awaiting), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(server, client, None, awaiting), daemon=True
            ).start()

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        stream: PgStream | RespStream | None,
        awaiting: threading.Event,
    ) -> None:
        try:
            while data := source.recv(65536):
                if stream is not None:  # the client speaks
                    stream.feed(data)
                    awaiting.set()
                elif awaiting.is_set():  # the server answers a pending write
                    awaiting.clear()
                    self.tally.add("round_trips")
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop accepting and cut every relayed connection."""
        self._closing.set()
        self.listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
