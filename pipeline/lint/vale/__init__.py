"""The Vale engine behind the `wording` rules: reading Vale's rule files and regex dialect, and
the text each Vale scope sees.

- :mod:`~pipeline.lint.vale.reader`: one rule file (`<Style>/<Name>.yml`) into a compiled spec;
- :mod:`~pipeline.lint.vale.regex`: Vale's regular expressions in Python's `regex` dialect;
- :mod:`~pipeline.lint.vale.scopes`: the blocks and units a rule searches, by scope.

What each rule kind does with a file is the rule family :mod:`pipeline.lint.rules.wording`.
"""
