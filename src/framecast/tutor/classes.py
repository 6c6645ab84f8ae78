"""Classes: a teacher creates them, learners join, and the teacher follows each learner's progress.

A learner joins with the class's code (``tutor/class_codes.py``) or by accepting the teacher's
invitation of their email address; either way it is the learner who joins, so nobody is seen by a
teacher without having agreed to it, and a learner can always list the teachers who see them and
leave. The teacher can remove a learner and delete a class. Who may see whom is decided in
``tutor/class_access.py`` only.

Invitations do not tell whether an account exists: inviting any well-formed address answers the
same and lists it as pending until its learner accepts (then it becomes a member) or declines.
Only the address of a learner already in the class is refused: the teacher sees them in it anyway.

The teacher's view of a learner is built from the functions the learner's own progress page reads
(``tutor/sessions.py``: stats, weaknesses, sessions, transcripts), so the two show the same numbers.
Transcripts are text, corrections and scores: the learner's recorded audio and avatar videos stay
theirs (their media fields are left out).

Every function is synchronous and opens its own transaction; rows never leave this module.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from framecast.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from framecast.core.text import text_problem
from framecast.db.accounts import Role, User
from framecast.db.classes import ClassInvite, ClassMember, TutorClass
from framecast.db.session import Database
from framecast.tutor import sessions
from framecast.tutor.class_access import own_class, require_learner_of, require_teacher
from framecast.tutor.class_codes import new_code, read_code, shown

MAX_NAME = 200
MAX_EMAIL = 320
ENTER_A_CODE = "Class code: enter the code your teacher gave you"
NO_SUCH_CODE = "Class code: no class has this code; check it with your teacher (it looks like ABCD-EFGH)"
NOT_IN_CLASS = "You are not in this class"
# Media a learner's messages carry: not part of what a teacher sees.
MEDIA_FIELDS = ("audio_url", "video_url")
# Fresh codes tried before giving up (a clash is already a one in 10**11 event).
_CODE_TRIES = 5


@dataclass(frozen=True)
class LearnerInfo:
    id: int
    name: str
    email: str
    joined_at: datetime


@dataclass(frozen=True)
class InviteInfo:
    id: int
    email: str
    created_at: datetime


@dataclass(frozen=True)
class ClassInfo:
    """A class as its teacher sees it: the code to hand out, the learners and pending invitations."""

    id: int
    name: str
    join_code: str
    created_at: datetime
    learners: tuple[LearnerInfo, ...] = ()
    invites: tuple[InviteInfo, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"join_code": shown(self.join_code)}


@dataclass(frozen=True)
class Membership:
    """A class a learner is in, and the teacher who sees their progress through it."""

    class_id: int
    class_name: str
    teacher_id: int
    teacher_name: str
    joined_at: datetime

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Invitation:
    """A teacher's pending invitation as its learner sees it."""

    id: int
    class_id: int
    class_name: str
    teacher_name: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- checks ----------------------------------------------------------------------------------------


def check_class_name(name: str) -> str:
    """The name trimmed; raises :class:`InvalidInputError` (field ``name``) when empty or too long."""
    problem = text_problem(name)
    if problem is not None:
        raise InvalidInputError(f"Class name: {problem}", field="name")
    value = " ".join(name.split())
    if not value:
        raise InvalidInputError("Class name: enter a name (your learners see it)", field="name")
    if len(value) > MAX_NAME:
        raise InvalidInputError(f"Class name: at most {MAX_NAME} characters", field="name")
    return value


def check_email(email: str) -> str:
    """The address lower-cased; raises :class:`InvalidInputError` (field ``email``) when it is not one."""
    value = email.strip().lower() if text_problem(email) is None else ""
    local, at, domain = value.partition("@")
    if not (local and at and domain) or "@" in domain or any(ch.isspace() for ch in value):
        raise InvalidInputError(f"Email: {email.strip()!r} is not an email address", field="email")
    if len(value) > MAX_EMAIL:
        raise InvalidInputError(f"Email: at most {MAX_EMAIL} characters", field="email")
    return value


def check_code_given(code: str) -> None:
    """Raises :class:`InvalidInputError` (field ``code``) when nothing but spaces and dashes was
    typed: a blank is not a wrong code (it is not counted against the join limit)."""
    if not code.strip(" -\t"):
        raise InvalidInputError(ENTER_A_CODE, field="code")


def _require_learner(user: User) -> None:
    if user.role != Role.LEARNER:
        raise ForbiddenError("only learners join classes; a teacher sees their own classes on /classes")


# --- the teacher's side ----------------------------------------------------------------------------


def _class_info(session: Session, row: TutorClass) -> ClassInfo:
    learners = session.execute(
        select(User, ClassMember.joined_at)
        .join(ClassMember, ClassMember.learner_id == User.id)
        .where(ClassMember.class_id == row.id)
        .order_by(User.name, User.id)
    ).all()
    invites = session.scalars(
        select(ClassInvite).where(ClassInvite.class_id == row.id).order_by(ClassInvite.id)
    )
    return ClassInfo(
        row.id,
        row.name,
        row.join_code,
        row.created_at,
        tuple(LearnerInfo(user.id, user.name, user.email, joined) for user, joined in learners),
        tuple(InviteInfo(invite.id, invite.email, invite.created_at) for invite in invites),
    )


def create_class(db: Database, teacher: User, name: str) -> ClassInfo:
    """A new class of ``teacher`` with a fresh join code.

    Raises :class:`ForbiddenError` for a non-teacher and :class:`InvalidInputError` for a bad name.
    """
    require_teacher(teacher)
    clean = check_class_name(name)
    for _ in range(_CODE_TRIES):
        try:
            with db.session() as session:
                row = TutorClass(teacher_id=teacher.id, name=clean, join_code=new_code())
                session.add(row)
                session.flush()
                return _class_info(session, row)
        except IntegrityError:
            continue  # the code was taken meanwhile: draw another
    raise RuntimeError("no free class code after several tries")  # pragma: no cover - 1 in 10**50


def taught_classes(db: Database, teacher: User) -> list[ClassInfo]:
    """``teacher``'s classes, oldest first; raises :class:`ForbiddenError` for a non-teacher."""
    require_teacher(teacher)
    with db.session() as session:
        rows = session.scalars(
            select(TutorClass).where(TutorClass.teacher_id == teacher.id).order_by(TutorClass.id)
        )
        return [_class_info(session, row) for row in rows]


def taught_class(db: Database, teacher: User, class_id: int) -> ClassInfo:
    """One class of ``teacher``; :class:`NotFoundError` for another teacher's or a missing one."""
    with db.session() as session:
        return _class_info(session, own_class(session, teacher, class_id))


def delete_class(db: Database, teacher: User, class_id: int) -> None:
    """Delete a class of ``teacher``: its learners leave it and its invitations are dropped."""
    with db.session() as session:
        session.delete(own_class(session, teacher, class_id))


def invite(db: Database, teacher: User, class_id: int, email: str) -> InviteInfo:
    """Invite ``email`` into a class of ``teacher``: pending until its learner accepts or declines.

    Answers the same whether or not the address has an account (a teacher's included), so a
    teacher cannot learn who has one. Inviting an address twice keeps the first invitation.
    Raises :class:`InvalidInputError` (field ``email``) for a malformed address and for the address
    of a learner in the class already (the teacher sees them in it: that reveals nothing), and as
    :func:`taught_class`.
    """
    address = check_email(email)
    with db.session() as session:
        own_class(session, teacher, class_id)
        member = session.scalar(
            select(ClassMember.id)
            .join(User, User.id == ClassMember.learner_id)
            .where(ClassMember.class_id == class_id, User.email == address)
        )
        if member is not None:
            raise InvalidInputError(f"Email: {address} is already in this class", field="email")
        found = session.scalar(
            select(ClassInvite).where(ClassInvite.class_id == class_id, ClassInvite.email == address)
        )
        if found is None:
            found = ClassInvite(class_id=class_id, email=address)
            try:
                with session.begin_nested():
                    session.add(found)
            except IntegrityError:  # invited at the same moment by another request
                found = session.scalars(
                    select(ClassInvite).where(ClassInvite.class_id == class_id, ClassInvite.email == address)
                ).one()
        return InviteInfo(found.id, found.email, found.created_at)


def cancel_invite(db: Database, teacher: User, class_id: int, invite_id: int) -> None:
    """Withdraw a pending invitation; :class:`NotFoundError` when it is not one of this class."""
    with db.session() as session:
        own_class(session, teacher, class_id)
        removed = session.execute(
            delete(ClassInvite).where(ClassInvite.id == invite_id, ClassInvite.class_id == class_id)
        )
        if not getattr(removed, "rowcount", 0):
            raise NotFoundError(f"no pending invitation {invite_id} in this class")


def remove_learner(db: Database, teacher: User, class_id: int, learner_id: int) -> None:
    """Take a learner out of a class of ``teacher``; :class:`NotFoundError` when not in it."""
    with db.session() as session:
        own_class(session, teacher, class_id)
        if not _leave(session, class_id, learner_id):
            raise NotFoundError(f"no learner {learner_id} in this class")


# --- the learner's side ----------------------------------------------------------------------------


def _membership(session: Session, row: TutorClass, joined_at: datetime) -> Membership:
    teacher = session.get(User, row.teacher_id)
    return Membership(row.id, row.name, row.teacher_id, teacher.name if teacher else "", joined_at)


def _join(session: Session, learner: User, row: TutorClass) -> Membership:
    """Put ``learner`` in ``row`` (once) and drop their invitations into it."""
    session.execute(
        delete(ClassInvite).where(ClassInvite.class_id == row.id, ClassInvite.email == learner.email)
    )
    member = session.scalar(
        select(ClassMember).where(ClassMember.class_id == row.id, ClassMember.learner_id == learner.id)
    )
    if member is None:
        member = ClassMember(class_id=row.id, learner_id=learner.id)
        try:
            with session.begin_nested():
                session.add(member)
        except IntegrityError:  # joined at the same moment from another tab
            member = session.scalars(
                select(ClassMember).where(
                    ClassMember.class_id == row.id, ClassMember.learner_id == learner.id
                )
            ).one()
    return _membership(session, row, member.joined_at)


def join_by_code(db: Database, learner: User, code: str) -> Membership:
    """Join the class whose code ``code`` is (typed in any case, with or without the dash); joining
    a class one is in already changes nothing.

    Raises :class:`ForbiddenError` for a teacher, and :class:`InvalidInputError` (field ``code``)
    for a code no class has, the same message whether it is malformed or just unknown (and as
    :func:`check_code_given` for a blank one).
    """
    _require_learner(learner)
    check_code_given(code)
    stored = read_code(code)
    with db.session() as session:
        row = session.scalar(select(TutorClass).where(TutorClass.join_code == stored)) if stored else None
        if row is None:
            raise InvalidInputError(NO_SUCH_CODE, field="code")
        return _join(session, learner, row)


def memberships(db: Database, learner: User) -> list[Membership]:
    """The classes ``learner`` is in, and so the teachers who see their progress (oldest first)."""
    with db.session() as session:
        rows = session.execute(
            select(TutorClass, ClassMember.joined_at)
            .join(ClassMember, ClassMember.class_id == TutorClass.id)
            .where(ClassMember.learner_id == learner.id)
            .order_by(ClassMember.joined_at, TutorClass.id)
        ).all()
        return [_membership(session, row, joined) for row, joined in rows]


def invitations(db: Database, learner: User) -> list[Invitation]:
    """The pending invitations of ``learner``'s email address, oldest first (none for a teacher)."""
    if learner.role != Role.LEARNER:
        return []
    with db.session() as session:
        rows = session.execute(
            select(ClassInvite, TutorClass, User.name)
            .join(TutorClass, TutorClass.id == ClassInvite.class_id)
            .join(User, User.id == TutorClass.teacher_id)
            .where(ClassInvite.email == learner.email)
            .order_by(ClassInvite.id)
        ).all()
        return [Invitation(i.id, c.id, c.name, name, i.created_at) for i, c, name in rows]


def _own_invitation(session: Session, learner: User, invite_id: int) -> ClassInvite:
    found = session.get(ClassInvite, invite_id)
    if found is None or found.email != learner.email:
        raise NotFoundError(f"no invitation {invite_id} for you")
    return found


def accept_invitation(db: Database, learner: User, invite_id: int) -> Membership:
    """Join the class of an invitation made for ``learner``'s address.

    Raises :class:`ForbiddenError` for a teacher and :class:`NotFoundError` for an invitation that
    is missing or for another address.
    """
    _require_learner(learner)
    with db.session() as session:
        found = _own_invitation(session, learner, invite_id)
        row = session.get(TutorClass, found.class_id)
        if row is None:  # pragma: no cover - the invitation goes with its class
            raise NotFoundError(f"no invitation {invite_id} for you")
        return _join(session, learner, row)


def decline_invitation(db: Database, learner: User, invite_id: int) -> None:
    """Drop an invitation made for ``learner``'s address; :class:`NotFoundError` as for accepting."""
    with db.session() as session:
        session.delete(_own_invitation(session, learner, invite_id))


def _leave(session: Session, class_id: int, learner_id: int) -> bool:
    """Take ``learner_id`` out of ``class_id``; whether they were in it."""
    removed = session.execute(
        delete(ClassMember).where(ClassMember.class_id == class_id, ClassMember.learner_id == learner_id)
    )
    return bool(getattr(removed, "rowcount", 0))


def leave_class(db: Database, learner: User, class_id: int) -> None:
    """Leave a class: its teacher no longer sees ``learner``.

    Raises :class:`NotFoundError` ("You are not in this class") when not in it, left already or not.
    """
    with db.session() as session:
        if not _leave(session, class_id, learner.id):
            raise NotFoundError(NOT_IN_CLASS)


# --- the teacher's view of a learner ---------------------------------------------------------------


@dataclass(frozen=True)
class LearnerCard:
    """Who a learner is, for the heading of the teacher's view, and the teacher's classes they are in."""

    id: int
    name: str
    email: str
    classes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _checked(db: Database, teacher: User, learner_id: int) -> None:
    with db.session() as session:
        require_learner_of(session, teacher, learner_id)


def learner_card(db: Database, teacher: User, learner_id: int) -> LearnerCard:
    """Raises :class:`ForbiddenError` for a non-teacher, :class:`NotFoundError` for someone who is
    not in one of ``teacher``'s classes (as every function below)."""
    with db.session() as session:
        require_learner_of(session, teacher, learner_id)
        learner = session.get(User, learner_id)
        assert learner is not None  # a member is a user (the foreign key cascades)
        names = session.scalars(
            select(TutorClass.name)
            .join(ClassMember, ClassMember.class_id == TutorClass.id)
            .where(TutorClass.teacher_id == teacher.id, ClassMember.learner_id == learner_id)
            .order_by(TutorClass.id)
        )
        return LearnerCard(learner.id, learner.name, learner.email, tuple(names))


def learner_stats(db: Database, teacher: User, learner_id: int) -> dict[str, Any]:
    """What ``/api/progress/{id}/stats`` answers the learner: scores over time, corrections by
    type and severity, practice attempts."""
    _checked(db, teacher, learner_id)
    return sessions.progress_stats(db, learner_id)


def learner_weaknesses(db: Database, teacher: User, learner_id: int, *, language: str) -> dict[str, Any]:
    """What ``/api/progress/{id}/weaknesses`` answers: the most common mistakes and suggestions,
    these told to the teacher about the learner ("Most of Lena's corrections are grammar…")."""
    _checked(db, teacher, learner_id)
    return sessions.progress_weaknesses(db, learner_id, language=language, for_teacher=True)


def learner_sessions(
    db: Database, teacher: User, learner_id: int, *, limit: int = 20
) -> list[dict[str, Any]]:
    """The learner's sessions, newest first (without messages)."""
    _checked(db, teacher, learner_id)
    return [info.to_json() for info in sessions.list_sessions(db, learner_id, limit=limit)]


def learner_transcript(db: Database, teacher: User, learner_id: int, session_id: str) -> list[dict[str, Any]]:
    """Every message of one of the learner's sessions, oldest first, with its corrections and
    without its media. :class:`NotFoundError` also for a session that is not this learner's."""
    _checked(db, teacher, learner_id)
    detail = sessions.session_detail(db, session_id, learner_id)
    return [message.to_json() | dict.fromkeys(MEDIA_FIELDS) for message in detail.messages]
