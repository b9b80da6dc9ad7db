"""The rule families, a module each; :mod:`pipeline.lint.registry` lists every rule.

Importing one family (as a warm lint run does with :mod:`~pipeline.lint.rules.freshness`)
does not import the others.
"""
