"""Password rules and argon2id hashes."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest

from framecast.core.errors import InvalidInputError
from framecast.web.security.password_strength import COMMON_LIST, common_passwords
from framecast.web.security.passwords import check_password_rules, hash_password, verify_password


def test_a_hash_is_argon2id_and_verifies_only_the_same_password() -> None:
    hashed = hash_password("a long enough password")

    assert hashed.startswith("$argon2id$")
    assert "a long enough password" not in hashed
    assert verify_password(hashed, "a long enough password")
    assert not verify_password(hashed, "a long enough passwore")


def test_two_hashes_of_one_password_differ_by_their_salt() -> None:
    assert hash_password("same password here") != hash_password("same password here")


@pytest.mark.parametrize("stored", ["", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$broken"])
def test_an_unreadable_stored_hash_is_a_wrong_password_not_a_crash(stored: str) -> None:
    assert verify_password(stored, "whatever password") is False


def test_a_short_password_is_refused_with_the_rule_and_its_length() -> None:
    with pytest.raises(InvalidInputError, match=r"at least 10 characters \(this one has 9\)"):
        hash_password("123456789")


def test_ten_characters_are_enough() -> None:
    assert verify_password(hash_password("k7#Qv2!mZp"), "k7#Qv2!mZp")


def test_a_password_of_only_spaces_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="only spaces"):
        check_password_rules(" " * 12)


def test_a_huge_password_is_refused_before_hashing() -> None:
    with pytest.raises(InvalidInputError, match="at most 1024"):
        check_password_rules("x" * 5000)


def test_the_confirmation_must_repeat_the_password() -> None:
    with pytest.raises(InvalidInputError, match="Password again: the two passwords differ"):
        check_password_rules("first password", "second password")


# -- too easy to guess ------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password123", "PASSWORD123", "1234567890", "qwertyuiop", "iloveyou12"])
def test_a_common_password_is_refused_whatever_its_case(password: str) -> None:
    with pytest.raises(InvalidInputError, match=r"^Password: this is one of the most common passwords"):
        check_password_rules(password)


def test_aaaaaaaaaa_is_refused() -> None:
    with pytest.raises(InvalidInputError, match=r"^Password: "):
        check_password_rules("aaaaaaaaaa")


@pytest.mark.parametrize(
    ("password", "pattern"),
    [("zzzzzzzzzzzzzzzz", "one character ('z')"), ("xyzxyzxyzxyzx", "a short pattern ('xyz')")],
)
def test_one_character_or_a_short_pattern_repeated_is_refused(password: str, pattern: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(f"it repeats {pattern}")):
        check_password_rules(password)


@pytest.mark.parametrize(
    "password",
    ["abcdefghijklmn", "9876543210987", "mnopqrstuvwx", "asdfghjklzxc", "LKJHGFDSAPOI", "78901234567"],
)
def test_a_run_of_consecutive_characters_or_keys_is_refused(password: str) -> None:
    with pytest.raises(InvalidInputError, match="run of consecutive characters or keys"):
        check_password_rules(password)


@pytest.mark.parametrize(
    ("password", "what"),
    [
        ("Carol.Smith!", "name"),
        ("carolsmith2024", "name"),
        ("smith12345", "name"),
        ("carol.s.rules@example", "email address"),
        ("carol.s.rules", "email address"),
    ],
)
def test_a_password_made_mostly_of_the_users_name_or_email_is_refused(password: str, what: str) -> None:
    with pytest.raises(InvalidInputError, match=f"it is mostly your {what}"):
        check_password_rules(password, email="carol.s.rules@example.org", name="Carol Smith")


@pytest.mark.parametrize(
    "password",
    ["carol's long password", "correct horse battery staple", "k7#Qv2!mZp", "smith family orchard"],
)
def test_a_passphrase_that_merely_mentions_the_name_is_accepted(password: str) -> None:
    check_password_rules(password, email="carol@example.org", name="Carol Smith")


@pytest.mark.parametrize(
    ("password", "problem"),
    [("a long one\x00with NUL", "NUL character"), ("a long one \ud800 here", "surrogate")],
)
def test_text_that_cannot_be_stored_is_refused_naming_the_field(password: str, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=f"^New password: contains .*{problem}") as caught:
        check_password_rules(password, field="new_password")

    assert caught.value.field == "new_password"


def test_a_mismatched_confirmation_names_its_own_field() -> None:
    with pytest.raises(InvalidInputError, match=r"^New password again: the two passwords differ") as caught:
        check_password_rules(
            "a good long password",
            "a good long passw0rd",
            field="new_password",
            confirm_field="new_password_confirm",
        )

    assert caught.value.field == "new_password_confirm"


def test_the_common_list_ships_inside_the_package_as_django_published_it() -> None:
    folder = resources.files("framecast.web.security")
    data = folder.joinpath(COMMON_LIST).read_bytes()
    notice = folder.joinpath("common-passwords.NOTICE.txt").read_text(encoding="utf-8")

    [recorded] = re.findall(r"file sha256: ([0-9a-f]{64})", notice)
    assert hashlib.sha256(data).hexdigest() == recorded
    listed = common_passwords()
    assert len(listed) == 19_640
    assert {"123456", "password", "1234567890", "qwertyuiop"} <= listed
    assert all(entry == entry.lower() for entry in listed)
