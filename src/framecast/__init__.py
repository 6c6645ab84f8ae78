"""Framecast: a self-hosted platform for AI video work (Studio) and English practice (Tutor)."""

__version__ = "0.1.0"
