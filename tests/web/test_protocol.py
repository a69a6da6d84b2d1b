"""HeadWithBody (server/web/protocol.py): a response's head leaves in one write with its body, and nothing is
reordered, lost or held past the end of the event loop's turn."""

from __future__ import annotations

import asyncio

from ccds_crosswalk.web.protocol import HeadWithBody


class Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def run(steps) -> Recorder:  # type: ignore[no-untyped-def]
    recorder = Recorder()

    async def main() -> None:
        transport = HeadWithBody(recorder, asyncio.get_running_loop())  # type: ignore[arg-type]
        steps(transport)
        await asyncio.sleep(0)  # the end of the turn
        await asyncio.sleep(0)

    asyncio.run(main())
    return recorder


def test_a_head_and_its_body_leave_in_one_write() -> None:
    assert run(lambda t: (t.write(HEAD), t.write(b"ok"))).writes == [HEAD + b"ok"]


def test_a_head_alone_leaves_at_the_end_of_the_turn() -> None:
    assert run(lambda t: t.write(HEAD)).writes == [HEAD]  # a HEAD response: no body follows


def test_an_interim_response_and_chunks_are_not_held() -> None:
    interim = b"HTTP/1.1 100 Continue\r\n\r\n"
    recorder = Recorder()

    async def main() -> None:
        transport = HeadWithBody(recorder, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(interim)
        assert recorder.writes == [interim]  # at once: the client waits for it before sending the body
        transport.write(HEAD)
        transport.write(b"o")
        transport.write(b"k")
        assert recorder.writes == [interim, HEAD + b"o", b"k"]

    asyncio.run(main())


def test_close_sends_what_is_held_first() -> None:
    recorder = run(lambda t: (t.write(HEAD), t.close()))
    assert recorder.writes == [HEAD] and recorder.closed


def test_everything_else_is_the_transports() -> None:
    recorder = Recorder()
    loop = asyncio.new_event_loop()
    transport = HeadWithBody(recorder, loop)  # type: ignore[arg-type]
    assert transport.is_closing() is False  # type: ignore[attr-defined]
    recorder.closed = True
    assert transport.is_closing() is True  # type: ignore[attr-defined]
    loop.close()
