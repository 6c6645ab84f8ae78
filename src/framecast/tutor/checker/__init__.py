"""Offline rule-based English checker for learners: no downloads, no network, precision first.

Each module holds one family of rules; ``engine`` runs them in order of priority.
"""

from __future__ import annotations

from framecast.tutor.checker.engine import check_english

__all__ = ["check_english"]
