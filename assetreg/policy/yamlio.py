"""YAML reading for policy sets and contract proposals: numbers with a fraction stay exact.

PyYAML turns ``150.00`` into a float; money and shares must never pass through a float,
so our loader builds a :class:`~decimal.Decimal` from the scalar's own text instead.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadInput


class _ExactLoader(yaml.SafeLoader):
    pass


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise yaml.constructor.ConstructorError(
            None, None, f"cannot read {text!r} as an exact number", node.start_mark) from None
    if not value.is_finite():
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a finite number", node.start_mark)
    return value


_ExactLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def loads(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_ExactLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as err:
        raise BadInput(f"{where}: not valid YAML: {err}",
                       "fix the YAML syntax (indentation, quotes, colons) at the place named") from None


def load_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file", "check the path") from None
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text", "save the file as UTF-8") from None
    return loads(text, str(path))
