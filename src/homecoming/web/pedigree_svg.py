"""A family pedigree laid out for drawing (SVG in the templates): generations top to bottom,
squares for men, circles for women, diamonds for unknown sex, filled when typed, the missing
person outlined in red; a line from each parent to the child."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PedigreeDrawing", "layout"]

_DX, _DY, _MARGIN = 160, 90, 80


@dataclass(frozen=True)
class PedigreeDrawing:
    width: int
    height: int
    people: list[dict[str, Any]]   # id, x, y, sex, typed, missing
    lines: list[tuple[float, float, float, float]]


def layout(persons: Sequence[Mapping[str, Any]]) -> PedigreeDrawing:
    """Positions for ``persons`` (dicts with id, father, mother, sex, typed, missing)."""
    by_id = {str(p["id"]): p for p in persons}
    depth: dict[str, int] = {}

    def generation(pid: str, seen: frozenset[str] = frozenset()) -> int:
        if pid in depth:
            return depth[pid]
        person = by_id[pid]
        parents = [str(person.get(k)) for k in ("father", "mother")
                   if person.get(k) and str(person.get(k)) in by_id and str(person.get(k))
                   not in seen]
        depth[pid] = 1 + max((generation(q, seen | {pid}) for q in parents), default=-1)
        return depth[pid]

    for pid in by_id:
        generation(pid)
    rows: dict[int, list[str]] = {}
    for pid in by_id:  # keep the given order within a generation
        rows.setdefault(depth[pid], []).append(pid)
    widest = max((len(r) for r in rows.values()), default=1)
    width = _MARGIN * 2 + max(widest - 1, 0) * _DX
    height = _MARGIN * 2 + max(len(rows) - 1, 0) * _DY + 20
    place: dict[str, tuple[float, float]] = {}
    for level, ids in rows.items():
        offset = (width - (len(ids) - 1) * _DX) / 2
        for i, pid in enumerate(ids):
            place[pid] = (offset + i * _DX, _MARGIN + level * _DY)
    people = [{"id": pid, "x": place[pid][0], "y": place[pid][1],
               "sex": str(by_id[pid].get("sex") or "unknown"),
               "typed": bool(by_id[pid].get("typed")),
               "missing": bool(by_id[pid].get("missing"))} for pid in by_id]
    lines = []
    for pid, person in by_id.items():
        for key in ("father", "mother"):
            parent = person.get(key)
            if parent and str(parent) in place:
                (x1, y1), (x2, y2) = place[str(parent)], place[pid]
                lines.append((x1, y1 + 14, x2, y2 - 14))
    return PedigreeDrawing(int(width), int(height), people, lines)
