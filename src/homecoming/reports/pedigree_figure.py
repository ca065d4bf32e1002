"""A pedigree drawn with matplotlib: squares for males, circles for females, diamonds for
unknown sex; typed members filled, the missing person outlined in red with a question mark."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["layout", "pedigree_figure"]


def layout(persons: Sequence[Mapping[str, Any]]) -> dict[str, tuple[float, float]]:
    """x, y per person: generations by depth below the founders, spread evenly."""
    by_id = {p["id"]: p for p in persons}
    depth: dict[str, int] = {}

    def level(pid: str, seen: frozenset[str] = frozenset()) -> int:
        if pid in depth:
            return depth[pid]
        p = by_id[pid]
        parents = [q for q in (p.get("father"), p.get("mother")) if q in by_id and q not in seen]
        d = 0 if not parents else 1 + max(level(q, seen | {pid}) for q in parents)
        depth[pid] = d
        return d

    for pid in by_id:
        level(pid)
    # founders who only married in sit beside their spouse's generation
    for p in persons:
        for parent_key, other_key in (("father", "mother"), ("mother", "father")):
            a, b = p.get(parent_key), p.get(other_key)
            if a in by_id and b in by_id and depth[a] != depth[b]:
                deepest = max(depth[a], depth[b])
                for q in (a, b):
                    if not by_id[q].get("father") and not by_id[q].get("mother"):
                        depth[q] = deepest
    spouses: dict[str, list[str]] = {pid: [] for pid in by_id}
    for p in persons:
        a, b = p.get("father"), p.get("mother")
        if a in by_id and b in by_id:
            if b not in spouses[a]:
                spouses[a].append(b)
            if a not in spouses[b]:
                spouses[b].append(a)
    rows: dict[int, list[str]] = {}
    for p in persons:
        rows.setdefault(depth[p["id"]], []).append(p["id"])
    pos: dict[str, tuple[float, float]] = {}
    step = 1.9
    for d, ids in sorted(rows.items()):
        def key(pid: str) -> float:
            p = by_id[pid]
            xs = [pos[q][0] for q in (p.get("father"), p.get("mother")) if q in pos]
            if xs:
                return sum(xs) / len(xs)
            for q in spouses[pid]:  # married in: beside the spouse
                qp = by_id[q]
                qx = [pos[r][0] for r in (qp.get("father"), qp.get("mother")) if r in pos]
                if qx:
                    return sum(qx) / len(qx) + 0.01
            return 0.0
        order: list[str] = []
        for pid in sorted(ids, key=key):
            if pid in order:
                continue
            order.append(pid)
            order += [q for q in spouses[pid] if q in ids and q not in order]
        for i, pid in enumerate(order):
            pos[pid] = (i * step, -1.6 * float(d))
    # centre each generation under the widest one
    width = max(len(r) for r in rows.values()) * step
    for ids in rows.values():
        shift = (width - len(ids) * step) / 2
        for pid in ids:
            pos[pid] = (pos[pid][0] + shift, pos[pid][1])
    return pos


def pedigree_figure(persons: Sequence[Mapping[str, Any]], *, fmt: str = "png",
                    title: str | None = None) -> bytes:
    """The drawing as PNG (or SVG) bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, Polygon, Rectangle

    pos = layout(persons)
    xs = [x for x, _ in pos.values()] or [0.0]
    ys = [y for _, y in pos.values()] or [0.0]
    fig, ax = plt.subplots(figsize=(max(3.5, 0.8 * (max(xs) - min(xs) + 2)),
                                    max(2.2, 0.8 * (max(ys) - min(ys) + 1.6))), dpi=150)
    r = 0.22
    for p in persons:
        father, mother = p.get("father"), p.get("mother")
        if father in pos and mother in pos:
            (fx, fy), (mx, my) = pos[father], pos[mother]
            cx, cy = pos[p["id"]]
            midx, midy = (fx + mx) / 2, (fy + my) / 2
            ax.plot([fx, mx], [fy, my], color="black", lw=1, zorder=1)
            ax.plot([midx, midx, cx, cx], [midy, midy - 0.7, midy - 0.7, cy + r], color="black",
                    lw=1, zorder=1)
    for p in persons:
        x, y = pos[p["id"]]
        face = "0.55" if p.get("typed") else "white"
        edge = "#c00000" if p.get("missing") else "black"
        lw = 2.4 if p.get("missing") else 1.2
        sex = p.get("sex")
        if sex == "male":
            patch: Any = Rectangle((x - r, y - r), 2 * r, 2 * r, facecolor=face, edgecolor=edge,
                                   lw=lw, zorder=2)
        elif sex == "female":
            patch = Circle((x, y), r, facecolor=face, edgecolor=edge, lw=lw, zorder=2)
        else:
            patch = Polygon([(x, y + r * 1.3), (x + r * 1.3, y), (x, y - r * 1.3),
                             (x - r * 1.3, y)], facecolor=face, edgecolor=edge, lw=lw, zorder=2)
        ax.add_patch(patch)
        if p.get("missing"):
            ax.text(x, y, "?", ha="center", va="center", fontsize=11, color="#c00000",
                    zorder=3, fontweight="bold")
        label = str(p.get("label") or p["id"]).replace(" ", "\n", 1)
        ax.text(x, y - r - 0.1, label, ha="center", va="top", fontsize=6.5, zorder=3)
    ax.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    handles = [Rectangle((0, 0), 1, 1, facecolor="0.55", edgecolor="black"),
               Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black"),
               Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="#c00000", lw=2)]
    ax.legend(handles, ["typed (DNA profile)", "untyped", "missing person"], loc="upper left",
              bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
