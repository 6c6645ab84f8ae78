"""``/api/classes`` and ``/api/teacher``: classes, joining them, and a teacher's view of a learner.

Thin over ``tutor/classes.py`` (which checks who may see whom through ``tutor/class_access.py``):

* teachers: list and create classes, read or delete one, invite an email address (the answer is the
  same whether it has an account), withdraw an invitation, remove a learner;
* learners: join by code, list the classes they are in (the teachers who see them), accept or
  decline invitations, leave a class;
* ``/api/teacher/learners/{id}/...``: what the learner's own progress page reads (``stats``,
  ``weaknesses``, ``sessions``, a session's ``conversations``), for a learner of the caller's classes.

Anyone who is not a teacher gets 403 on a teacher's route, administrators included; a teacher asking
for a class or learner that is not theirs gets 404, exactly as for one that does not exist.

Wrong join codes are slowed down like wrong passwords (``web/security/ratelimit.py``), counted per
account wherever it tries from (not per address: a school's learners share one, and their typos
must not slow its logins down) within ``web.login_window_s``; past ``web.login_attempts`` each
further try waits, answering 429 with ``Retry-After``. A right code forgets the wrong ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Protocol, Self

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from framecast.tutor import classes, sessions
from framecast.tutor.classes import InviteInfo
from framecast.web.deps import Ctx, CurrentUser
from framecast.web.security.ratelimit import attempt_succeeded, begin_attempt

router = APIRouter(tags=["classes"])

MAX_PAGE = 100


class ClassCreate(BaseModel):
    name: str


class JoinBody(BaseModel):
    # As the teacher hands it out ("ABCD-EFGH"); case, dash and spaces do not matter.
    code: str


class InviteBody(BaseModel):
    email: str


class _Record(Protocol):
    def to_json(self) -> dict[str, Any]: ...


class _FromRecord(BaseModel):
    """An answer made from a record of ``tutor/classes.py`` by its ``to_json``."""

    @classmethod
    def of(cls, record: _Record) -> Self:
        return cls.model_validate(record.to_json())


class LearnerPublic(BaseModel):
    id: int
    name: str
    email: str
    joined_at: datetime


class ClassInvitePublic(BaseModel):
    id: int
    email: str
    created_at: datetime

    @classmethod
    def of(cls, invite: InviteInfo) -> ClassInvitePublic:
        return cls(id=invite.id, email=invite.email, created_at=invite.created_at)


class ClassPublic(_FromRecord):
    id: int
    name: str
    # "ABCD-EFGH": what learners type on /classes.
    join_code: str
    created_at: datetime
    learners: list[LearnerPublic]
    invites: list[ClassInvitePublic]


class MembershipPublic(_FromRecord):
    class_id: int
    class_name: str
    teacher_id: int
    teacher_name: str
    joined_at: datetime


class InvitationPublic(_FromRecord):
    id: int
    class_id: int
    class_name: str
    teacher_name: str
    created_at: datetime


class LearnerCardPublic(_FromRecord):
    id: int
    name: str
    email: str
    # The names of the caller's classes this learner is in.
    classes: list[str]


# --- a learner's side (literal paths first: ``/api/classes/{class_id}`` would take them) ----------


@router.get("/api/classes/joined")
def joined_classes(user: CurrentUser, context: Ctx) -> list[MembershipPublic]:
    """The classes you are in, oldest first: each one's teacher sees your progress."""
    return [MembershipPublic.of(m) for m in classes.memberships(context.db, user)]


@router.post("/api/classes/join")
def join_class(body: JoinBody, user: CurrentUser, context: Ctx) -> MembershipPublic:
    """Join a class by its code; its teacher then sees your progress. 400 (field ``code``) for a
    code no class has or a blank one (not counted as a wrong code), 403 for a teacher, 429 with
    ``Retry-After`` after too many wrong codes."""
    # Counted against the account alone, wherever it tries from: a school's learners share one
    # address, and their typos must not slow down the logins from it (nor one learner's another's).
    classes.check_code_given(body.code)  # a blank is no guess: refused before it is counted
    account = f"class-code:{user.id}"
    attempt = begin_attempt(
        context.db, context.settings.web, email=account, client=account, what="wrong class codes"
    )
    joined = classes.join_by_code(context.db, user, body.code)
    attempt_succeeded(context.db, attempt)
    return MembershipPublic.of(joined)


@router.get("/api/classes/invitations")
def my_invitations(user: CurrentUser, context: Ctx) -> list[InvitationPublic]:
    """Teachers' pending invitations of your email address, oldest first."""
    return [InvitationPublic.of(i) for i in classes.invitations(context.db, user)]


@router.post("/api/classes/invitations/{invite_id}/accept")
def accept_invitation(invite_id: int, user: CurrentUser, context: Ctx) -> MembershipPublic:
    """Join the invitation's class. 404 for an invitation that is not for you."""
    return MembershipPublic.of(classes.accept_invitation(context.db, user, invite_id))


@router.delete("/api/classes/invitations/{invite_id}", status_code=204)
def decline_invitation(invite_id: int, user: CurrentUser, context: Ctx) -> Response:
    """Decline an invitation: it is dropped. 404 for an invitation that is not for you."""
    classes.decline_invitation(context.db, user, invite_id)
    return Response(status_code=204)


@router.delete("/api/classes/{class_id}/membership", status_code=204)
def leave_class(class_id: int, user: CurrentUser, context: Ctx) -> Response:
    """Leave a class: its teacher no longer sees your progress. 404 when you are not in it."""
    classes.leave_class(context.db, user, class_id)
    return Response(status_code=204)


# --- a teacher's classes ---------------------------------------------------------------------------


@router.get("/api/classes")
def list_classes(user: CurrentUser, context: Ctx) -> list[ClassPublic]:
    """Your classes, oldest first, with their codes, learners and pending invitations (teachers)."""
    return [ClassPublic.of(info) for info in classes.taught_classes(context.db, user)]


@router.post("/api/classes", status_code=201)
def create_class(body: ClassCreate, user: CurrentUser, context: Ctx) -> ClassPublic:
    """A new class with a fresh join code. 400 (field ``name``) for an empty or too long name."""
    return ClassPublic.of(classes.create_class(context.db, user, body.name))


@router.get("/api/classes/{class_id}")
def get_class(class_id: int, user: CurrentUser, context: Ctx) -> ClassPublic:
    return ClassPublic.of(classes.taught_class(context.db, user, class_id))


@router.delete("/api/classes/{class_id}", status_code=204)
def delete_class(class_id: int, user: CurrentUser, context: Ctx) -> Response:
    """Delete the class: its learners leave it, its invitations are dropped."""
    classes.delete_class(context.db, user, class_id)
    return Response(status_code=204)


@router.post("/api/classes/{class_id}/invites", status_code=201)
def invite_learner(class_id: int, body: InviteBody, user: CurrentUser, context: Ctx) -> ClassInvitePublic:
    """Invite an email address; its learner accepts on their /classes page. The same answer whether
    or not the address has an account. 400 (field ``email``) for a malformed address or one of a
    learner in the class already."""
    return ClassInvitePublic.of(classes.invite(context.db, user, class_id, body.email))


@router.delete("/api/classes/{class_id}/invites/{invite_id}", status_code=204)
def cancel_invite(class_id: int, invite_id: int, user: CurrentUser, context: Ctx) -> Response:
    classes.cancel_invite(context.db, user, class_id, invite_id)
    return Response(status_code=204)


@router.delete("/api/classes/{class_id}/learners/{learner_id}", status_code=204)
def remove_learner(class_id: int, learner_id: int, user: CurrentUser, context: Ctx) -> Response:
    """Take a learner out of the class; you no longer see them unless another of your classes has them."""
    classes.remove_learner(context.db, user, class_id, learner_id)
    return Response(status_code=204)


# --- a teacher's view of one learner ---------------------------------------------------------------


@router.get("/api/teacher/learners/{learner_id}")
def learner_card(learner_id: int, user: CurrentUser, context: Ctx) -> LearnerCardPublic:
    """The learner's name and email, and which of your classes they are in."""
    return LearnerCardPublic.of(classes.learner_card(context.db, user, learner_id))


@router.get("/api/teacher/learners/{learner_id}/stats")
def learner_stats(learner_id: int, user: CurrentUser, context: Ctx) -> dict[str, Any]:
    """What ``GET /api/progress/{learner_id}/stats`` answers the learner: scores, their history,
    corrections by type and severity, practice attempts."""
    return classes.learner_stats(context.db, user, learner_id)


@router.get("/api/teacher/learners/{learner_id}/weaknesses")
def learner_weaknesses(
    learner_id: int,
    user: CurrentUser,
    context: Ctx,
    language: Annotated[
        Literal["en", "ko"] | None, Query(description="suggestions' language; default: your preference")
    ] = None,
) -> dict[str, Any]:
    """What ``GET /api/progress/{learner_id}/weaknesses`` answers: the most common mistakes,
    recent corrections and suggestions."""
    chosen = language or sessions.preferred_language(user.preferences, context.settings.tutor.language)
    return classes.learner_weaknesses(context.db, user, learner_id, language=chosen)


@router.get("/api/teacher/learners/{learner_id}/sessions")
def learner_sessions(
    learner_id: int, user: CurrentUser, context: Ctx, limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 20
) -> list[dict[str, Any]]:
    """The learner's sessions, newest first (without messages)."""
    return classes.learner_sessions(context.db, user, learner_id, limit=limit)


@router.get("/api/teacher/learners/{learner_id}/sessions/{session_id}/conversations")
def learner_transcript(
    learner_id: int, session_id: str, user: CurrentUser, context: Ctx
) -> list[dict[str, Any]]:
    """The session's messages, oldest first, with their corrections; without the learner's audio
    and video. 404 for a session that is not this learner's."""
    return classes.learner_transcript(context.db, user, learner_id, session_id)
