"""`kbsync report`'s content: the health of the knowledge base, and its rendering.

- :mod:`~pipeline.report.health`: what the report says (built from a lint run, the corpus and
  the rollout);
- :mod:`~pipeline.report.render`: the report as Markdown, JSON and one HTML page (strings, never
  printed: :mod:`pipeline.cli.report_cmd` writes them).
"""
