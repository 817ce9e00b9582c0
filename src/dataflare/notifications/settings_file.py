"""Reading a TOML table strictly: every key checked, unknown keys refused, errors naming the key."""

from __future__ import annotations

from typing import Any, TypeVar

from dataflare.core.errors import InvalidInput

T = TypeVar("T")


class Table:
    """One table of the settings file; `take_*` reads a key, `done()` refuses the rest."""

    def __init__(self, source: str, where: str, values: Any) -> None:
        if not isinstance(values, dict):
            raise InvalidInput(f"{source}: {where} must be a table.")
        self.source = source
        self.where = where
        self.values = dict(values)

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def fail(self, key: str, problem: str) -> InvalidInput:
        return InvalidInput(f"{self.source}: {self._name(key)} {problem}")

    def _take(self, key: str, kind: type[T], default: T, what: str) -> T:
        if key not in self.values:
            return default
        value = self.values.pop(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"must be {what} (got {value!r}).")
        return value

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self._take(key, str, default, "a string")
        if value is not None and not value.strip():
            raise self.fail(key, "must not be blank.")
        return value

    def flag(self, key: str, default: bool) -> bool:
        return self._take(key, bool, default, "true or false")

    def number(self, key: str, default: float, minimum: float) -> float:
        value = self.values.pop(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.fail(key, f"must be a number of at least {minimum} (got {value!r}).")
        return float(value)

    def whole(self, key: str, default: int, minimum: int, maximum: int | None = None) -> int:
        value = self._take(key, int, default, "a whole number")
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum} (got {value}).")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be at most {maximum} (got {value}).")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        values = self._take(key, list, [], "a list of strings")
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(key, f"must be a list of non-blank strings (got {values!r}).")
        return tuple(values)

    def table(self, key: str) -> Table | None:
        if key not in self.values:
            return None
        return Table(self.source, self._name(key), self.values.pop(key))

    def tables(self, key: str) -> list[Table]:
        values = self._take(key, list, [], "a list of tables")
        return [Table(self.source, f"{self._name(key)}[{i}]", v) for i, v in enumerate(values)]

    def mapping(self, key: str) -> dict[str, str]:
        values = self._take(key, dict, {}, "a table of strings")
        for name, value in values.items():
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{key}.{name}", f"must be a non-blank string (got {value!r}).")
        return dict(values)

    def done(self) -> None:
        if self.values:
            unknown = ", ".join(self._name(key) for key in sorted(self.values))
            raise InvalidInput(f"{self.source}: unknown setting {unknown}.")
