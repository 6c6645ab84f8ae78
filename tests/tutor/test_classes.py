"""Classes in the database: creating them, joining by code or invitation, leaving, and who sees whom.

Runs on SQLite and PostgreSQL (the ``db`` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from framecast.core.errors import ForbiddenError, InvalidInputError, NotFoundError
from framecast.db.accounts import Role, User
from framecast.db.session import Database
from framecast.tutor import class_codes, classes, sessions
from framecast.tutor.sessions import create_session, end_session
from tests.tutor.test_sessions import DOG, DOG_FIXES, add_message


def person(db: Database, email: str, *, role: Role = Role.LEARNER, admin: bool = False) -> User:
    """A user with ``role``, detached as the web layer hands it over."""
    with db.session() as session:
        user = User(
            email=email, name=email.split("@")[0].title(), password_hash="x", preferences={}, role=role
        )
        user.is_admin = admin
        session.add(user)
        session.flush()
        session.refresh(user)
        session.expunge(user)
        return user


@pytest.fixture
def teacher(db: Database) -> User:
    return person(db, "tess@school.example", role=Role.TEACHER)


@pytest.fixture
def learner(db: Database) -> User:
    return person(db, "lena@school.example")


def test_a_new_account_is_a_learner(db: Database) -> None:
    with db.session() as session:
        session.add(User(email="new@example.com", name="New", password_hash="x", preferences={}))
    with db.session() as session:
        role = session.scalar(select(User.role).where(User.email == "new@example.com"))

    assert role == Role.LEARNER


def test_codes_use_an_unambiguous_alphabet_and_are_read_back_loosely() -> None:
    codes = {class_codes.new_code() for _ in range(200)}

    assert len(codes) == 200
    assert all(len(code) == class_codes.LENGTH and set(code) <= set(class_codes.ALPHABET) for code in codes)
    assert not set("01OIL") & set(class_codes.ALPHABET)
    code = next(iter(codes))
    typed = f"  {class_codes.shown(code).lower()} "
    assert class_codes.read_code(typed) == code
    assert class_codes.read_code("ABCD-EFG0") is None
    assert class_codes.read_code("ABC") is None


def test_a_teacher_creates_a_class_with_a_code_and_a_learner_joins_with_it(
    db: Database, teacher: User, learner: User
) -> None:
    made = classes.create_class(db, teacher, "  Monday   evening ")

    joined = classes.join_by_code(db, learner, class_codes.shown(made.join_code).lower())

    assert made.name == "Monday evening"
    assert (joined.class_id, joined.class_name, joined.teacher_name) == (made.id, "Monday evening", "Tess")
    seen = classes.taught_class(db, teacher, made.id)
    assert [(one.id, one.email) for one in seen.learners] == [(learner.id, learner.email)]
    assert [m.teacher_id for m in classes.memberships(db, learner)] == [teacher.id]


def test_joining_twice_keeps_one_membership(db: Database, teacher: User, learner: User) -> None:
    made = classes.create_class(db, teacher, "A")

    first = classes.join_by_code(db, learner, made.join_code)
    again = classes.join_by_code(db, learner, made.join_code)

    assert first.joined_at == again.joined_at
    assert len(classes.taught_class(db, teacher, made.id).learners) == 1


@pytest.mark.parametrize("code", ["ABCD-EFGH-J", "abcd", "ZZZZ-ZZZZ"])
def test_a_code_no_class_has_is_refused_naming_the_field(db: Database, learner: User, code: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        classes.join_by_code(db, learner, code)

    assert caught.value.field == "code"
    assert str(caught.value) == classes.NO_SUCH_CODE


@pytest.mark.parametrize("code", ["", "   ", " - "])
def test_a_blank_code_asks_for_the_code_rather_than_calling_it_wrong(
    db: Database, learner: User, code: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        classes.join_by_code(db, learner, code)

    assert caught.value.field == "code"
    assert str(caught.value) == "Class code: enter the code your teacher gave you"


def test_only_teachers_make_classes_and_only_learners_join(
    db: Database, teacher: User, learner: User
) -> None:
    admin = person(db, "ada@school.example", admin=True)
    made = classes.create_class(db, teacher, "A")

    for not_teacher in (learner, admin):
        with pytest.raises(ForbiddenError):
            classes.create_class(db, not_teacher, "Mine")
        with pytest.raises(ForbiddenError):
            classes.taught_classes(db, not_teacher)
    with pytest.raises(ForbiddenError):
        classes.join_by_code(db, teacher, made.join_code)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\x00name"])
def test_a_bad_class_name_is_refused(db: Database, teacher: User, name: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        classes.create_class(db, teacher, name)

    assert caught.value.field == "name"
    assert str(caught.value).startswith("Class name: ")


def test_an_invitation_waits_for_its_learner_and_looks_the_same_for_an_unknown_address(
    db: Database, teacher: User, learner: User
) -> None:
    made = classes.create_class(db, teacher, "A")

    known = classes.invite(db, teacher, made.id, " LENA@school.example ")
    unknown = classes.invite(db, teacher, made.id, "nobody@school.example")

    assert (known.email, unknown.email) == ("lena@school.example", "nobody@school.example")
    pending = classes.taught_class(db, teacher, made.id)
    assert [i.email for i in pending.invites] == ["lena@school.example", "nobody@school.example"]
    assert pending.learners == ()
    [invitation] = classes.invitations(db, learner)
    assert (invitation.class_name, invitation.teacher_name) == ("A", "Tess")

    classes.accept_invitation(db, learner, invitation.id)

    after = classes.taught_class(db, teacher, made.id)
    assert [one.id for one in after.learners] == [learner.id]
    assert [i.email for i in after.invites] == ["nobody@school.example"]
    assert classes.invitations(db, learner) == []


def test_inviting_a_learner_already_in_the_class_is_refused_naming_the_field(
    db: Database, teacher: User, learner: User
) -> None:
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)

    with pytest.raises(InvalidInputError) as caught:
        classes.invite(db, teacher, made.id, " Lena@School.example")

    assert caught.value.field == "email"
    assert str(caught.value) == "Email: lena@school.example is already in this class"
    assert classes.taught_class(db, teacher, made.id).invites == ()
    # In another class of the same teacher, the learner can still be invited.
    other = classes.create_class(db, teacher, "B")
    assert classes.invite(db, teacher, other.id, learner.email).email == learner.email


def test_inviting_a_teacher_answers_as_for_an_unknown_address(db: Database, teacher: User) -> None:
    made = classes.create_class(db, teacher, "A")
    colleague = person(db, "tom@school.example", role=Role.TEACHER)

    sent = classes.invite(db, teacher, made.id, colleague.email)

    assert [i.email for i in classes.taught_class(db, teacher, made.id).invites] == [sent.email]


def test_a_learner_cannot_take_someone_elses_invitation(db: Database, teacher: User, learner: User) -> None:
    other = person(db, "omar@school.example")
    made = classes.create_class(db, teacher, "A")
    sent = classes.invite(db, teacher, made.id, other.email)

    with pytest.raises(NotFoundError):
        classes.accept_invitation(db, learner, sent.id)
    with pytest.raises(NotFoundError):
        classes.decline_invitation(db, learner, sent.id)
    classes.decline_invitation(db, other, sent.id)

    assert classes.taught_class(db, teacher, made.id).invites == ()


def test_a_malformed_invitation_address_is_refused(db: Database, teacher: User) -> None:
    made = classes.create_class(db, teacher, "A")

    with pytest.raises(InvalidInputError) as caught:
        classes.invite(db, teacher, made.id, "not an address")

    assert caught.value.field == "email"


def test_leaving_and_being_removed_end_what_the_teacher_sees(
    db: Database, teacher: User, learner: User
) -> None:
    other = person(db, "omar@school.example")
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)
    classes.join_by_code(db, other, made.join_code)

    classes.leave_class(db, learner, made.id)
    classes.remove_learner(db, teacher, made.id, other.id)

    assert classes.taught_class(db, teacher, made.id).learners == ()
    assert classes.memberships(db, learner) == []
    for gone in (learner, other):
        with pytest.raises(NotFoundError):
            classes.learner_stats(db, teacher, gone.id)
    with pytest.raises(NotFoundError, match=r"^You are not in this class$"):
        classes.leave_class(db, learner, made.id)
    with pytest.raises(NotFoundError, match=f"no learner {other.id} in this class"):
        classes.remove_learner(db, teacher, made.id, other.id)


def test_deleting_a_class_lets_its_learners_go(db: Database, teacher: User, learner: User) -> None:
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)

    classes.delete_class(db, teacher, made.id)

    assert classes.memberships(db, learner) == []
    assert classes.taught_classes(db, teacher) == []


def held_session(db: Database, learner: User) -> str:
    info = create_session(db, learner.id)
    add_message(db, info.id, "Hi!", role="assistant", kind="opening")
    add_message(db, info.id, DOG, fixes=DOG_FIXES)
    end_session(db, info.id, learner.id)
    return info.id


def test_the_teacher_sees_what_the_learners_own_progress_shows(
    db: Database, teacher: User, learner: User
) -> None:
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)
    session_id = held_session(db, learner)

    stats = classes.learner_stats(db, teacher, learner.id)
    weak = classes.learner_weaknesses(db, teacher, learner.id, language="en")
    listed = classes.learner_sessions(db, teacher, learner.id)
    transcript = classes.learner_transcript(db, teacher, learner.id, session_id)
    card = classes.learner_card(db, teacher, learner.id)

    assert stats["correction_stats"]["by_type"]["grammar"] == 3
    assert [point["session_id"] for point in stats["history"]] == [session_id]
    assert [text for text, _ in weak["common_mistakes"]] != []
    # Told to the teacher about the learner, not as if the teacher were the learner.
    assert weak["improvement_suggestions"][0].startswith("Most of Lena's corrections are grammar")
    own = sessions.progress_weaknesses(db, learner.id, language="en")
    assert own["improvement_suggestions"][0].startswith("Most of your corrections")
    assert {k: v for k, v in weak.items() if k != "improvement_suggestions"} == {
        k: v for k, v in own.items() if k != "improvement_suggestions"
    }
    assert [s["id"] for s in listed] == [session_id]
    assert [m["content"] for m in transcript] == ["Hi!", DOG]
    assert all(m["audio_url"] is None and m["video_url"] is None for m in transcript)
    assert len(transcript[1]["corrections"]) == 3
    assert (card.name, card.classes) == ("Lena", ("A",))


def test_nobody_else_sees_a_learner(db: Database, teacher: User, learner: User) -> None:
    other_teacher = person(db, "tom@school.example", role=Role.TEACHER)
    admin = person(db, "ada@school.example", admin=True)
    classmate = person(db, "omar@school.example")
    made = classes.create_class(db, teacher, "A")
    theirs = classes.create_class(db, other_teacher, "B")
    classes.join_by_code(db, learner, made.join_code)
    session_id = held_session(db, learner)

    with pytest.raises(NotFoundError):
        classes.learner_stats(db, other_teacher, learner.id)
    with pytest.raises(NotFoundError):
        classes.learner_transcript(db, other_teacher, learner.id, session_id)
    with pytest.raises(NotFoundError):
        classes.taught_class(db, other_teacher, made.id)
    with pytest.raises(NotFoundError):
        classes.invite(db, teacher, theirs.id, "x@school.example")
    for not_teacher in (admin, classmate):
        with pytest.raises(ForbiddenError):
            classes.learner_stats(db, not_teacher, learner.id)


def test_a_teacher_cannot_read_another_learners_session_through_their_own_learner(
    db: Database, teacher: User, learner: User
) -> None:
    outsider = person(db, "omar@school.example")
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)
    outsiders_session = held_session(db, outsider)

    with pytest.raises(NotFoundError):
        classes.learner_transcript(db, teacher, learner.id, outsiders_session)


def test_an_administrator_who_teaches_sees_only_their_own_classes(db: Database, learner: User) -> None:
    admin_teacher = person(db, "ada@school.example", role=Role.TEACHER, admin=True)
    teacher = person(db, "tess@school.example", role=Role.TEACHER)
    made = classes.create_class(db, teacher, "A")
    classes.join_by_code(db, learner, made.join_code)

    with pytest.raises(NotFoundError):
        classes.learner_stats(db, admin_teacher, learner.id)
    mine = classes.create_class(db, admin_teacher, "Admin's class")
    classes.join_by_code(db, learner, mine.join_code)

    assert classes.learner_stats(db, admin_teacher, learner.id)["progress"]["user_id"] == learner.id
