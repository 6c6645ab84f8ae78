"""The in-process request window: never more requests in a window than the limit, places kept for
polls, a place held while its request is out."""

from __future__ import annotations

import anyio

from framecast.providers.sliding_windows import RequestWindow

WINDOW_S = 0.3


async def test_the_request_past_the_limit_waits_a_window_after_the_first_answer() -> None:
    window = RequestWindow(3, window_s=WINDOW_S)
    sent: list[float] = []
    answered: list[float] = []

    async def request() -> None:
        async with window.place():
            sent.append(anyio.current_time())
        answered.append(anyio.current_time())

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(request)

    assert len(sent) == 4
    # The fourth starts only once the first answer's place has had its whole window.
    assert sent[3] >= min(answered) + WINDOW_S
    assert sent[2] < min(answered) + WINDOW_S  # the first three went at once


async def test_a_submission_leaves_the_reserved_places_to_polls() -> None:
    window = RequestWindow(3, window_s=60.0)
    async with window.place(reserve=2):
        pass
    with anyio.move_on_after(0.2) as waited:
        async with window.place(reserve=2):
            raise AssertionError("a second submission took a place kept for polls")
    assert waited.cancelled_caught
    async with window.place(), window.place():  # the polls still have their two
        assert window.taken == 3


async def test_a_place_is_held_while_its_request_is_out() -> None:
    window = RequestWindow(1, window_s=0.01)
    out = anyio.Event()
    done = anyio.Event()

    async def slow() -> None:
        async with window.place():
            out.set()
            await done.wait()

    async with anyio.create_task_group() as group:
        group.start_soon(slow)
        await out.wait()
        await anyio.sleep(0.05)  # many windows later, the request is still out
        with anyio.move_on_after(0.1) as waited:
            async with window.place():
                raise AssertionError("a place was given while the request holding it was out")
        assert waited.cancelled_caught
        done.set()
