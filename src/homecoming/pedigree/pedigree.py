"""People and pedigrees.

A :class:`Pedigree` is an immutable, validated set of :class:`Person` values: every parent
exists, fathers are male and mothers female, ids are unique, nobody is their own ancestor.
Disconnected components are allowed ("unrelated" is a pedigree of singletons).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from homecoming.errors import PedigreeError


class Sex(enum.Enum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"

    @classmethod
    def parse(cls, value: object, *, field: str = "sex") -> Sex:
        if isinstance(value, Sex):
            return value
        text = str(value).strip().lower()
        aliases = {"m": "male", "1": "male", "f": "female", "2": "female", "u": "unknown",
                   "0": "unknown", "": "unknown"}
        text = aliases.get(text, text)
        try:
            return cls(text)
        except ValueError:
            raise PedigreeError(f"{field}: {value!r} is not a sex; expected 'male', 'female' or "
                                "'unknown'", field=field, value=value) from None


@dataclass(frozen=True)
class Person:
    id: str
    father: str | None = None
    mother: str | None = None
    sex: Sex = Sex.UNKNOWN

    @property
    def is_founder(self) -> bool:
        return self.father is None and self.mother is None


class Pedigree:
    """A validated, immutable pedigree. Iterate to get persons in a parents-first order."""

    __slots__ = ("_persons", "_order")

    def __init__(self, persons: Iterable[Person]) -> None:
        persons = list(persons)
        by_id: dict[str, Person] = {}
        for p in persons:
            if not isinstance(p.id, str) or not p.id:
                raise PedigreeError(f"person id {p.id!r} is not a non-empty string", field="id",
                                    value=p.id)
            if p.id in by_id:
                raise PedigreeError(f"duplicated person id {p.id!r}; expected unique ids",
                                    field="id", value=p.id)
            by_id[p.id] = p
        for p in persons:
            if (p.father is None) != (p.mother is None):
                raise PedigreeError(
                    f"person {p.id!r} has one parent given and the other missing; expected both "
                    "or neither (add an untyped founder for the unknown parent)",
                    field="father" if p.father is None else "mother", value=p.id)
            for role, pid, sex in (("father", p.father, Sex.MALE),
                                   ("mother", p.mother, Sex.FEMALE)):
                if pid is None:
                    continue
                if pid == p.id:
                    raise PedigreeError(f"person {p.id!r} is their own {role}",
                                        field=role, value=pid)
                if pid not in by_id:
                    raise PedigreeError(f"{role} {pid!r} of person {p.id!r} is not in the pedigree",
                                        field=role, value=pid)
                if by_id[pid].sex not in (sex, Sex.UNKNOWN):
                    raise PedigreeError(
                        f"{role} {pid!r} of person {p.id!r} has sex {by_id[pid].sex.value!r}; "
                        f"expected {sex.value!r}", field=role, value=pid)
        # topological order (parents first); detects cycles
        order: list[str] = []
        state: dict[str, int] = {}
        for start in by_id:
            if state.get(start) == 2:
                continue
            stack = [(start, False)]
            while stack:
                pid, done = stack.pop()
                if done:
                    state[pid] = 2
                    order.append(pid)
                    continue
                if state.get(pid) == 2:
                    continue
                if state.get(pid) == 1:
                    raise PedigreeError(f"person {pid!r} is their own ancestor (cycle in pedigree)",
                                        field="id", value=pid)
                state[pid] = 1
                stack.append((pid, True))
                p = by_id[pid]
                for parent in (p.father, p.mother):
                    if parent is None:
                        continue
                    if state.get(parent) == 1:
                        raise PedigreeError(
                            f"person {parent!r} is their own ancestor (cycle in pedigree)",
                            field="id", value=parent)
                    if state.get(parent) != 2:
                        stack.append((parent, False))
        self._persons = by_id
        self._order = tuple(order)

    # --- access -------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Person]:
        return (self._persons[i] for i in self._order)

    def __len__(self) -> int:
        return len(self._persons)

    def __contains__(self, pid: object) -> bool:
        return pid in self._persons

    def __getitem__(self, pid: str) -> Person:
        try:
            return self._persons[pid]
        except KeyError:
            raise PedigreeError(f"person {pid!r} is not in the pedigree", field="id",
                                value=pid) from None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pedigree) and self._persons == other._persons

    def __hash__(self) -> int:
        return hash(frozenset(self._persons.values()))

    def __repr__(self) -> str:
        return f"Pedigree({list(self)!r})"

    @property
    def ids(self) -> tuple[str, ...]:
        """Person ids, parents before children."""
        return self._order

    @property
    def founders(self) -> tuple[str, ...]:
        return tuple(i for i in self._order if self._persons[i].is_founder)

    @property
    def nonfounders(self) -> tuple[str, ...]:
        return tuple(i for i in self._order if not self._persons[i].is_founder)

    def children(self, pid: str) -> tuple[str, ...]:
        return tuple(i for i in self._order
                     if pid in (self._persons[i].father, self._persons[i].mother))

    def connected(self, pid: str) -> frozenset[str]:
        """The persons linked to ``pid`` through parents and children (its component)."""
        seen = {pid}
        todo = [pid]
        while todo:
            member = self[todo.pop()]
            for other in (member.father, member.mother, *self.children(member.id)):
                if other is not None and other not in seen:
                    seen.add(other)
                    todo.append(other)
        return frozenset(seen)
