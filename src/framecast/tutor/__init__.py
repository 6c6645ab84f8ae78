"""Tutor: English practice for learners — corrections, pronunciation, progress and practice phrases."""
