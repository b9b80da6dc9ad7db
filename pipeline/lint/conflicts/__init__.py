"""The `conflicts` rules and what only they use: named facts and near-duplicate questions.

- :mod:`~pipeline.lint.conflicts.rules`: the rules (`conflicts.fact`,
  `conflicts.duplicate-question`, `conflicts.duplicate-title`), listed in
  :mod:`pipeline.lint.registry`;
- :mod:`~pipeline.lint.conflicts.facts`: the facts file (`rules/facts.yml`) and finding its
  statements in prose;
- :mod:`~pipeline.lint.conflicts.questions`: question tokens and the near-duplicate join.
"""
