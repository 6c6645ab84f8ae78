"""Who may see whose Tutor data: the one place that decides it.

* Everyone sees their own data (the learner's routes check ownership themselves, as before).
* A **teacher** (``users.role`` = teacher) sees a learner's progress, corrections, practice and
  transcripts while that learner is in one of the teacher's classes, and nothing of anyone else.
* An **administrator** gets nothing from ``is_admin`` here: administering accounts is not teaching.
  An administrator who is also a teacher sees the learners of their own classes, like any teacher.

Refusals: :func:`require_teacher` raises :class:`ForbiddenError` (403) for anyone who is not a
teacher; a teacher asking for a class or a learner that is not theirs gets :class:`NotFoundError`
(404) with the same message whether or not that class or user exists, so nobody learns which ids do.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from framecast.core.errors import ForbiddenError, NotFoundError
from framecast.db.accounts import Role, User
from framecast.db.classes import ClassMember, TutorClass

ONLY_TEACHERS = "Only teachers have classes and see their learners' progress"
# What the refusal tells whoever asked: a learner cannot change their role, an administrator can.
ASK_AN_ADMINISTRATOR = f"{ONLY_TEACHERS}; ask your administrator to make you a teacher."
MAKE_YOURSELF_ONE = f"{ONLY_TEACHERS}; you can make your account a teacher on the Users page."


def is_teacher(user: User) -> bool:
    return user.role == Role.TEACHER and not user.disabled


def not_a_teacher(user: User) -> str:
    """The sentence refusing ``user`` a teacher's page: how they can become one, in plain words."""
    return MAKE_YOURSELF_ONE if user.is_admin else ASK_AN_ADMINISTRATOR


def require_teacher(user: User) -> None:
    """Raises :class:`ForbiddenError` (:func:`not_a_teacher`) unless ``user`` is a teacher."""
    if not is_teacher(user):
        raise ForbiddenError(not_a_teacher(user))


def own_class(session: Session, teacher: User, class_id: int) -> TutorClass:
    """The class ``class_id`` of ``teacher``.

    Raises :class:`ForbiddenError` for a non-teacher and :class:`NotFoundError` for a class that is
    missing or another teacher's.
    """
    require_teacher(teacher)
    found = session.get(TutorClass, class_id)
    if found is None or found.teacher_id != teacher.id:
        raise NotFoundError(f"no class {class_id} among your classes")
    return found


def teaches(session: Session, teacher_id: int, learner_id: int) -> bool:
    """Whether ``learner_id`` is in a class of ``teacher_id``."""
    query = (
        select(ClassMember.id)
        .join(TutorClass, TutorClass.id == ClassMember.class_id)
        .where(TutorClass.teacher_id == teacher_id, ClassMember.learner_id == learner_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def require_learner_of(session: Session, teacher: User, learner_id: int) -> None:
    """Let ``teacher`` see ``learner_id``'s Tutor data, or raise.

    Raises :class:`ForbiddenError` for a non-teacher and :class:`NotFoundError` for a user who is
    not in one of the teacher's classes (missing or not).
    """
    require_teacher(teacher)
    if not teaches(session, teacher.id, learner_id):
        raise NotFoundError(f"no learner {learner_id} in your classes")
