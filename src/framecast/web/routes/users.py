"""``/api/users``: administrators list, create, invite, disable and promote users, list and revoke
invitations, and make password reset links; anyone reads their own account and Tutor sessions.

An administrator cannot disable or demote their own account, so a server always keeps at least the
admin who is making changes. Disabling or demoting an admin revokes the invitations and reset links
they made. ``POST /api/users`` (the seed's unauthenticated registration) stays an administrator's
action; the first account comes from the first-run setup page, and people sign up themselves only
through ``POST /api/users/register`` (``signup.py``) when ``web.signup`` allows it.

Invitation and reset links start with ``web.public_base_url`` (see ``web/security/links.py``), never
with the request's ``Host``; without one they are paths (``/invite/<token>``).

The seed's clients also call ``GET /api/users/me`` (the same answer as ``GET /api/me``) and
``POST /api/users/`` with its trailing slash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel
from sqlalchemy import select

from framecast.core.errors import InvalidInputError, NotFoundError
from framecast.db.accounts import Role, User
from framecast.tutor import sessions
from framecast.web.deps import AdminUser, Ctx, CurrentUser
from framecast.web.routes.auth import Me, me
from framecast.web.security.accounts import NewUser, check_name, create_user
from framecast.web.security.invites import (
    PendingInvite,
    create_invite,
    list_invites,
    revoke_invite,
    revoke_links_issued_by,
)
from framecast.web.security.links import public_link
from framecast.web.security.resets import create_reset_link
from framecast.web.security.sessions import revoke_everything

router = APIRouter(tags=["users"])


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    # "learner" or "teacher" (``db.accounts.Role``); administration is ``is_admin`` on its own.
    role: Role
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            is_admin=user.is_admin,
            role=Role(user.role),
            disabled=user.disabled,
            created_at=user.created_at,
        )


class UserCreate(BaseModel):
    email: str
    name: str
    password: str
    is_admin: bool = False


class InviteCreate(BaseModel):
    email: str
    name: str
    is_admin: bool = False


class InvitePublic(BaseModel):
    # Absolute with ``web.public_base_url`` set, else a path ("/invite/<token>").
    invite_url: str
    expires_at: datetime


class PendingInvitePublic(BaseModel):
    id: int
    email: str
    name: str
    is_admin: bool
    invited_by: int | None
    invited_by_name: str
    created_at: datetime | None
    expires_at: datetime

    @classmethod
    def of(cls, invite: PendingInvite) -> PendingInvitePublic:
        return cls(
            id=invite.id,
            email=invite.email,
            name=invite.name,
            is_admin=invite.is_admin,
            invited_by=invite.invited_by,
            invited_by_name=invite.invited_by_name,
            created_at=invite.created_at,
            expires_at=invite.expires_at,
        )


class ResetLinkPublic(BaseModel):
    # Absolute with ``web.public_base_url`` set, else a path ("/reset/<token>").
    reset_url: str
    expires_at: datetime


class UserUpdate(BaseModel):
    disabled: bool | None = None
    is_admin: bool | None = None
    name: str | None = None
    # Make a learner a teacher (who may create classes) or a teacher a learner again.
    role: Role | None = None


@router.get("/api/users")
def list_users(_: AdminUser, context: Ctx) -> list[UserPublic]:
    """Every account, oldest first."""
    with context.db.session() as session:
        return [UserPublic.of(user) for user in session.scalars(select(User).order_by(User.id))]


@router.post("/api/users", status_code=201)
# The seed's path, answered here rather than by a redirect a client might not follow with its body.
@router.post("/api/users/", status_code=201, include_in_schema=False)
def add_user(body: UserCreate, _: AdminUser, context: Ctx) -> UserPublic:
    """Create an account with a password the admin chooses (at least 10 characters)."""
    user = create_user(context.db, NewUser(body.email, body.name, body.password, body.is_admin))
    return UserPublic.of(user)


# Before every ``/api/users/{user_id}`` route, which would take "me" for an id and answer 422.
@router.get("/api/users/me")
def my_account(user: CurrentUser, context: Ctx) -> Me:
    """Your account and preferences: the seed clients' name for ``GET /api/me``."""
    return me(user, context)


@router.post("/api/users/invites", status_code=201)
def invite_user(body: InviteCreate, admin: AdminUser, context: Ctx) -> InvitePublic:
    """A one-time link, valid for 7 days, where the invitee chooses their password."""
    token, expires_at = create_invite(
        context.db, email=body.email, name=body.name, is_admin=body.is_admin, invited_by=admin.id
    )
    return InvitePublic(invite_url=public_link(context.settings, f"/invite/{token}"), expires_at=expires_at)


@router.get("/api/users/invites")
def pending_invites(_: AdminUser, context: Ctx) -> list[PendingInvitePublic]:
    """The invitations that still work (unused, unexpired, not revoked, from an enabled admin),
    newest first."""
    return [PendingInvitePublic.of(invite) for invite in list_invites(context.db)]


@router.delete("/api/users/invites/{invite_id}", status_code=204)
def delete_invite(invite_id: int, _: AdminUser, context: Ctx) -> Response:
    """Revoke a pending invitation: its link stops working. 404 when it is not pending."""
    revoke_invite(context.db, invite_id)
    return Response(status_code=204)


@router.post("/api/users/{user_id}/reset-link", status_code=201)
def reset_link(user_id: int, admin: AdminUser, context: Ctx) -> ResetLinkPublic:
    """A one-time link, valid for 24 hours, where the user sets a new password (all their sessions
    and tokens end then). It replaces the user's earlier link; 400 for a disabled account."""
    token, expires_at = create_reset_link(context.db, user_id=user_id, created_by=admin.id)
    return ResetLinkPublic(reset_url=public_link(context.settings, f"/reset/{token}"), expires_at=expires_at)


@router.patch("/api/users/{user_id}")
def update_user(user_id: int, body: UserUpdate, admin: AdminUser, context: Ctx) -> UserPublic:
    """Rename, disable or enable, promote or demote, make a teacher or a learner (``role``; a teacher
    made a learner keeps their classes but sees none of them until made a teacher again). Disabling
    ends the user's sessions and tokens; disabling or demoting an admin also revokes the invitations
    and reset links they made."""
    if user_id == admin.id and (body.disabled is True or body.is_admin is False):
        raise InvalidInputError("you cannot disable or demote your own account; ask another administrator")
    name = check_name(body.name) if body.name is not None else None
    with context.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFoundError(f"no user {user_id}")
        if name is not None:
            user.name = name
        if body.is_admin is not None:
            user.is_admin = body.is_admin
        if body.disabled is not None:
            user.disabled = body.disabled
        if body.role is not None:
            user.role = body.role.value
        session.flush()
        public = UserPublic.of(user)
    if body.disabled:
        revoke_everything(context.db, user_id)
    if body.disabled or body.is_admin is False:
        revoke_links_issued_by(context.db, user_id)
    return public


@router.get("/api/users/{user_id}")
def get_user(user_id: int, user: CurrentUser, context: Ctx) -> UserPublic:
    """One account: your own, or any for an administrator (others answer 404 like a missing id)."""
    if user_id != user.id and not user.is_admin:
        raise NotFoundError(f"no user {user_id}")
    with context.db.session() as session:
        found = session.get(User, user_id)
        if found is None:
            raise NotFoundError(f"no user {user_id}")
        return UserPublic.of(found)


@router.get("/api/users/{user_id}/sessions")
async def user_sessions(
    user_id: int, user: CurrentUser, context: Ctx, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[dict[str, Any]]:
    """Your Tutor sessions, newest first, with their messages and corrections. Tutor data is
    private: another user's id answers 404, for administrators too."""
    if user_id != user.id:
        raise NotFoundError(f"no user {user_id}")
    found = await anyio.to_thread.run_sync(lambda: sessions.session_details(context.db, user_id, limit=limit))
    return [detail.to_json() for detail in found]
