"""A frozen copy of the offline checker as it stood before the spaCy rewrite, for bench/checker_accuracy.py.

Not used by the application: it keeps the previous method measurable in the same run.

Each module holds one family of rules; ``engine`` runs them in order of priority.
"""

from __future__ import annotations

from bench.previous_checker.engine import check_english

__all__ = ["check_english"]
