"""Personal data detection for the `pii.*` rules: Presidio over a spaCy model, offline.

- :mod:`~pipeline.lint.pii.entities` — the entities kbsync reports and how (catalogue);
- :mod:`~pipeline.lint.pii.settings` — `[lint.pii]` checked and resolved;
- :mod:`~pipeline.lint.pii.regions` — what of a file is analysed, mapped back to offsets;
- :mod:`~pipeline.lint.pii.analyzer` — Presidio + spaCy, loaded once per process, offline;
- :mod:`~pipeline.lint.pii.scanner` — the shared batch passes and the filters;
- :mod:`~pipeline.lint.pii.person`, :mod:`~pipeline.lint.pii.names` — when a PERSON is a name;
- :mod:`~pipeline.lint.pii.lookalikes`, :mod:`~pipeline.lint.pii.placeholders` — what is not
  personal data although it matches.

Nothing here imports spaCy or Presidio at import time; only a scan that needs them does.
"""
