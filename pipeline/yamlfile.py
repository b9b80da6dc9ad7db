"""YAML with line numbers: the one reader for every YAML file kbsync reads.

Content frontmatter, `rollout.yaml`, the facts file, Vale rule files and eval files all need two
things from one parse: the plain values, and the line of each key and list entry, so that an
error names the line a user has to fix. :func:`parse_yaml` composes the text once and builds the
values from that same node tree (what `yaml.load` does inside), so nothing is parsed twice.

A syntax error is a :class:`YamlSyntaxError`: the problem on one line, and its line and column
when YAML gives them; each caller turns it into its own error (a
:class:`~pipeline.errors.ConfigError` with :meth:`YamlSyntaxError.config_error`, or a lint
finding for frontmatter).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import ConfigError

FAST_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when it is installed (files read on every lint run), else PyYAML's."""


class YamlSyntaxError(ValueError):
    """Text that is not valid YAML: what is wrong, and where (1-based, when YAML says)."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.column = column

    def config_error(self, path: Path | str, *, hint: str | None = None) -> ConfigError:
        """`PATH:LINE: not valid YAML: PROBLEM`, the configuration error for a file."""
        return ConfigError(f"not valid YAML: {self.problem}", path=path, line=self.line, hint=hint)


@dataclass(frozen=True)
class YamlText:
    """One parsed YAML document: its values and its node tree (for lines)."""

    data: Any
    """The plain values (None for an empty document, or when not constructed)."""
    node: yaml.Node | None
    """The root node (None for an empty document)."""

    def key_node(self, key: str) -> yaml.Node | None:
        """The node of top-level key `key` (not its value), if the root is a mapping with it."""
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _value in self.node.value:
                if str(getattr(key_node, "value", "")) == key:
                    return key_node  # type: ignore[no-any-return]
        return None

    def key_line(self, key: str) -> int | None:
        """The line of top-level key `key`."""
        node = self.key_node(key)
        return None if node is None else line_of(node)

    def key_lines(self) -> dict[str, int]:
        """The line of every top-level key that is a plain value (`id: …` → its line)."""
        lines: dict[str, int] = {}
        if isinstance(self.node, yaml.MappingNode):
            for key_node, _value in self.node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines[str(key_node.value)] = line_of(key_node)
        return lines

    def items(self, key: str) -> list[yaml.Node]:
        """The entries of the list under top-level key `key` (empty when it is not a list)."""
        if isinstance(self.node, yaml.MappingNode):
            for key_node, value in self.node.value:
                if getattr(key_node, "value", None) == key and isinstance(value, yaml.SequenceNode):
                    return list(value.value)
        return []

    def item_lines(self, key: str) -> list[int]:
        """The line of each entry of the list under top-level key `key`."""
        return [line_of(entry) for entry in self.items(key)]


def line_of(node: yaml.Node) -> int:
    """The 1-based line where `node` starts."""
    return int(node.start_mark.line) + 1


def parse_yaml(
    text: str, *, loader: type[yaml.SafeLoader] = yaml.SafeLoader, construct: bool = True
) -> YamlText:
    """Parse `text` (one document) once into its node tree and, with `construct`, its values.

    `loader` decides how plain scalars resolve (the frontmatter's keeps dates as strings) and
    who parses (libyaml's :data:`FAST_LOADER` is quicker; PyYAML's words some errors otherwise).
    Raises :class:`YamlSyntaxError`.
    """
    try:
        parser = loader(text)  # PyYAML's checks the characters here already
        try:
            node = parser.get_single_node()
            if node is not None:
                _refuse_duplicate_keys(node)
            data = parser.construct_document(node) if construct and node is not None else None
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlSyntaxError(
            exc.problem or str(exc),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except RecursionError:
        raise YamlSyntaxError("nested too deeply") from None
    except yaml.YAMLError as exc:
        # A character YAML does not allow (a control character): PyYAML names no line, and its
        # second line is an offset into a string the user never saw, so only the first is kept.
        raise YamlSyntaxError(str(exc).split("\n", 1)[0]) from None
    return YamlText(data, node)


def _refuse_duplicate_keys(root: yaml.Node) -> None:
    """A key given twice in one mapping is an error: YAML's loaders keep the last one silently,
    so `status: draft` above `status: approved`, or a second `environments:` in a batch, would
    quietly decide what is published where."""
    stack = [root]
    seen_nodes: set[int] = set()  # aliases share nodes: each is walked once
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            names: set[str] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    name = str(key.value)
                    if name in names:  # the line is the second's (callers shift it)
                        raise YamlSyntaxError(
                            f"duplicate key {name!r} (given twice in one mapping): YAML would "
                            "silently keep only the last",
                            line=line_of(key),
                            column=int(key.start_mark.column) + 1,
                        )
                    names.add(name)
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def read_yaml_file(path: Path, *, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> YamlText:
    """Read and parse the UTF-8 file `path` (read once).

    Raises :class:`ConfigError` naming the file (and the line, for a syntax error).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read: {exc}", path=path) from None
    try:
        return parse_yaml(text, loader=loader)
    except YamlSyntaxError as exc:
        raise exc.config_error(path) from None
