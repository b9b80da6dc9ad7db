"""kbsync: a chat assistant's knowledge base as Markdown in git, linted and synced to Uppzy."""

from __future__ import annotations

__version__ = "0.1.0"
