"""Offline English checker for Korean learners: spaCy's parse plus word-level rules, precision first.

Each module holds one family of rules; ``engine`` runs them in order of priority and keeps a fix only
when the sentence with it applied passes the checker. ``parser`` loads spaCy once per process;
``warm_up`` loads it ahead of the first sentence.
"""

from __future__ import annotations

from framecast.tutor.checker.engine import CheckedText, check_english, warm_up

__all__ = ["CheckedText", "check_english", "warm_up"]
