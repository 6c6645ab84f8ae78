"""What the engine reads and writes around a turn: a message needs an open session, even when the end
races it, and a learner's unfinished avatar videos are counted over all their sessions."""

from __future__ import annotations

import functools

import pytest

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.session import Database
from framecast.tutor import sessions, store
from framecast.tutor.records import EndedSession
from tests.tutor.test_sessions import add_user, run_together


def test_a_message_is_stored_only_while_its_session_is_open(db: Database) -> None:
    user = add_user(db, "open@example.com")
    session_id = sessions.create_session(db, user).id
    store.append_message(db, session_id, role="user", content="Before the end.", kind="text")
    assert store.open_session_owner(db, session_id) == user

    sessions.end_session(db, session_id, user)

    with pytest.raises(InvalidInputError, match=f"session {session_id} has ended"):
        store.open_session_owner(db, session_id)
    with pytest.raises(InvalidInputError, match="has ended"):
        store.append_message(db, session_id, role="user", content="After the end.", kind="text")
    with pytest.raises(NotFoundError):
        store.append_message(db, "no-such-session", role="user", content="Hello.", kind="text")
    assert [m.content for m in store.history(db, session_id)] == ["Before the end."]


def test_a_message_racing_the_end_of_its_session_is_stored_before_it_or_not_at_all(db: Database) -> None:
    user = add_user(db, "race@example.com")
    for attempt in range(5):
        session_id = sessions.create_session(db, user).id

        append = functools.partial(
            store.append_message, db, session_id, role="user", content=f"Hi {attempt}.", kind="text"
        )
        outcome = run_together([append, functools.partial(sessions.end_session, db, session_id, user)])

        message, ended = outcome
        assert isinstance(ended, EndedSession)
        stored = store.history(db, session_id)
        if isinstance(message, InvalidInputError):  # the end came first
            assert stored == []
            assert ended.scores is None
        else:  # the message came first, and the end scored it
            assert [m.content for m in stored] == [f"Hi {attempt}."]
            assert ended.scores is not None


def test_unfinished_videos_are_counted_over_all_sessions_of_the_learner(db: Database) -> None:
    ann, ben = add_user(db, "ann@example.com"), add_user(db, "ben@example.com")
    first = sessions.create_session(db, ann).id
    second = sessions.create_session(db, ann).id
    other = sessions.create_session(db, ben).id
    for session_id, wanted in ((first, True), (first, False), (second, True), (other, True)):
        store.save_reply(db, session_id, None, "Hello!", kind="opening", want_video=wanted)

    assert store.unfinished_videos(db, second) == 2
    assert store.unfinished_videos(db, other) == 1
