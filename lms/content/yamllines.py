"""YAML that remembers where each mapping and each key came from, so that a problem
can be reported as file:line."""

import yaml


class LineDict(dict):
    """A mapping with the line of itself (`line`) and of each key (`key_lines`)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence with the line of each item (`item_lines`)."""

    item_lines: list


def item_line(mapping: LineDict, key: str, index: int) -> int:
    """The line of item `index` of the list under `key`, else the key's line."""
    value = mapping.get(key)
    if isinstance(value, LineList) and index < len(value.item_lines):
        return value.item_lines[index]
    return mapping.line_of(key)


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def load(text: str, first_line: int = 1):
    """Parse YAML; lines are counted from `first_line` (for blocks inside a file)."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line if mark else 0) + first_line
        raise YamlError(line, f"YAML: {error.problem or error}") from None
    except yaml.YAMLError as error:
        raise YamlError(first_line, f"YAML: {error}") from None
    if first_line != 1:
        _shift(data, first_line - 1)
    return data


def _shift(data, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {k: v + offset for k, v in data.key_lines.items()}
        for value in data.values():
            _shift(value, offset)
    elif isinstance(data, list):
        if isinstance(data, LineList):
            data.item_lines = [line + offset for line in data.item_lines]
        for item in data:
            _shift(item, offset)
