"""Lint: rules over the corpus, findings, reporters. Never imports sync or api."""
