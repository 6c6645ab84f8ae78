"""Password rules and argon2id hashes."""

from __future__ import annotations

import pytest

from framecast.core.errors import InvalidInputError
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
    assert verify_password(hash_password("1234567890"), "1234567890")


def test_a_password_of_only_spaces_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="only spaces"):
        check_password_rules(" " * 12)


def test_a_huge_password_is_refused_before_hashing() -> None:
    with pytest.raises(InvalidInputError, match="at most 1024"):
        check_password_rules("x" * 5000)


def test_the_confirmation_must_repeat_the_password() -> None:
    with pytest.raises(InvalidInputError, match="Password again: the two passwords differ"):
        check_password_rules("first password", "second password")
