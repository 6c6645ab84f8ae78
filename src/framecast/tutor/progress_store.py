"""A learner's progress row, read for an update: the one way sessions and practice change it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import NotFoundError
from framecast.db.accounts import User
from framecast.db.tutor import Progress


def locked_progress(session: Session, user_id: int) -> Progress:
    """The user's progress row, read ``FOR UPDATE`` (so two updates at once both count); inserted
    first when missing, in a savepoint, so a concurrent creator's row is taken instead.

    Raises ``NotFoundError`` for an unknown user.
    """
    query = select(Progress).where(Progress.user_id == user_id).with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None:
        if session.get(User, user_id) is None:
            raise NotFoundError(f"no user {user_id}")
        try:
            with session.begin_nested():
                session.add(Progress(user_id=user_id))
        except IntegrityError:
            pass  # created meanwhile by a concurrent request: the unique user_id keeps it one row
        row = session.scalars(query).one()
    return row
