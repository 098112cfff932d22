"""Button payloads, typed: each button family is one small class that packs and parses
itself, so the format of a payload is written once.

A payload is ``prefix:field:field…``. A family declares its prefix and its fields as a
frozen dataclass (after aiogram's ``CallbackData``)::

    @dataclass(frozen=True)
    class ApprovalPress(Payload, prefix="apv"):
        verdict: Literal["y", "n"]
        member_id: int
        listed: Literal["l"] | None = None

``ApprovalPress("y", 12).pack()`` gives ``"apv:y:12"``, and the app hands the handler
``ApprovalPress.parse(["y", "12"])``. Whatever does not fit the fields — too many or too
few parts, a non-integer id, a choice that does not exist — parses to None, so a forged or
mangled payload never reaches a handler. Buttons stay in chats for weeks: to keep old
ones working, never reorder a family's fields; add one only as an optional last field.

Field types: ``int`` (a database id: ASCII digits up to PostgreSQL's integer), ``str`` (a
non-empty word), a ``StrEnum``, a ``Literal`` of strings, a :class:`Part` (a value with
its own short text form), and ``X | None`` for optional last fields, left out when None.
A family may check more than types by overriding :meth:`Payload.valid`. A prefix may hold
several segments (``gdpr:erase``) when a family's actions differ in who may press them.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, ClassVar, Literal, Protocol, Self, cast, get_args, get_origin

from bot.core import ids
from bot.core.port import MAX_PAYLOAD_BYTES

SEPARATOR = ":"
#: The largest id a payload carries: PostgreSQL's ``integer``, the type of every id
#: column. A larger number cannot name a row, and would make the query itself fail.
MAX_ID = ids.MAX_ROW_ID


class Part(Protocol):
    """A field type with its own text form, e.g. a plan or campaign subject (``c5-2``)."""

    @classmethod
    def from_part(cls, text: str) -> Self | None: ...

    def to_part(self) -> str: ...


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    #: Text → value; raises ValueError when the text is not a value of the field's type.
    read: Callable[[str], object]
    write: Callable[[Any], str]
    optional: bool


_FIELDS: dict[type, tuple[_Field, ...]] = {}


class Payload:
    """The base of every button family; subclasses are frozen dataclasses."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not all(prefix.split(SEPARATOR)):
            raise ValueError(f"{cls.__name__}: bad payload prefix {prefix!r}")
        cls.prefix = prefix

    @classmethod
    def layout(cls) -> tuple[_Field, ...]:
        """How each field reads and writes; worked out once, on first use (a family the
        machinery cannot handle fails at registration, not at the first press)."""
        found = _FIELDS.get(cls)
        if found is None:
            found = _FIELDS[cls] = _describe(cls)
        return found

    @classmethod
    def parse(cls, parts: Sequence[str]) -> Self | None:
        """The payload whose parts after the prefix are ``parts``, or None when they do
        not fit the fields."""
        described = cls.layout()
        required = sum(not field.optional for field in described)
        if not required <= len(parts) <= len(described):
            return None
        values: dict[str, object] = {field.name: None for field in described}
        try:
            for field, text in zip(described, parts, strict=False):
                values[field.name] = field.read(text)
        except ValueError:
            return None
        press = cast(Callable[..., Self], cls)(**values)
        return press if press.valid() else None

    @classmethod
    def unpack(cls, payload: str) -> Self | None:
        """The payload that ``payload`` spells, or None (another prefix, or malformed)."""
        head = cls.prefix + SEPARATOR
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            return None
        if payload == cls.prefix:
            return cls.parse([])
        if not payload.startswith(head):
            return None
        return cls.parse(payload.removeprefix(head).split(SEPARATOR))

    def valid(self) -> bool:
        """Checks beyond the fields' types (a language the bot speaks); True by default."""
        return True

    def pack(self) -> str:
        """The text a button carries; raises ValueError for a value that would not come
        back as itself, or a payload over :data:`MAX_PAYLOAD_BYTES` bytes."""
        parts = [self.prefix]
        left_out = False
        for field in self.layout():
            value = getattr(self, field.name)
            if value is None and field.optional:
                left_out = True
                continue
            text = field.write(value)
            if left_out or not text or SEPARATOR in text:
                raise ValueError(f"{type(self).__name__}.{field.name}: cannot pack {value!r}")
            parts.append(text)
        payload = SEPARATOR.join(parts)
        if len(payload.encode()) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"payload over {MAX_PAYLOAD_BYTES} bytes: {payload!r}")
        return payload


def _describe(cls: type[Payload]) -> tuple[_Field, ...]:
    if not is_dataclass(cls):
        raise TypeError(f"{cls.__name__}: a payload is a dataclass")
    hints = typing.get_type_hints(cls)
    described: list[_Field] = []
    for declared in fields(cls):
        kind, optional = hints[declared.name], False
        if get_origin(kind) in (typing.Union, types.UnionType):
            others = [arg for arg in get_args(kind) if arg is not type(None)]
            if len(others) != 1:
                raise TypeError(f"{cls.__name__}.{declared.name}: one type, or one and None")
            kind, optional = others[0], True
        elif described and described[-1].optional:
            raise TypeError(f"{cls.__name__}.{declared.name}: optional fields come last")
        read, write = _codec(cls, declared.name, kind)
        described.append(_Field(declared.name, read, write, optional))
    return tuple(described)


def _codec(cls: type, name: str, kind: Any) -> tuple[Callable[[str], object], Callable[[Any], str]]:
    if kind is int:
        return _read_id, _write_id
    if kind is str:
        return _read_word, str
    if isinstance(kind, type) and issubclass(kind, enum.StrEnum):
        return kind, _write_enum
    if get_origin(kind) is Literal and all(isinstance(arg, str) for arg in get_args(kind)):
        choices = frozenset(get_args(kind))
        return _one_of(choices), _one_of(choices)
    if isinstance(kind, type) and hasattr(kind, "from_part") and hasattr(kind, "to_part"):
        return _read_part(kind), _write_part
    raise TypeError(f"{cls.__name__}.{name}: a payload cannot carry {kind!r}")


def _read_id(text: str) -> int:
    number = ids.row_id(text, hash_sign=False)
    if number is None:
        raise ValueError(text)
    return number


def _write_id(value: int) -> str:
    if not 0 <= value <= MAX_ID:
        raise ValueError(value)
    return str(value)


def _read_word(text: str) -> str:
    if not text:
        raise ValueError(text)
    return text


def _write_enum(value: enum.StrEnum) -> str:
    return value.value


def _one_of(choices: frozenset[str]) -> Callable[[str], str]:
    def checked(text: str) -> str:
        if text not in choices:
            raise ValueError(text)
        return text

    return checked


def _read_part(kind: type) -> Callable[[str], object]:
    def read(text: str) -> object:
        value = cast(type[Part], kind).from_part(text)
        if value is None:
            raise ValueError(text)
        return value

    return read


def _write_part(value: Part) -> str:
    return value.to_part()
