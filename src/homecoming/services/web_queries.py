"""Read-only queries of the web application: record lists and details, the dashboard's
progress counts, map features, and public statistics with small-cell suppression.

Every function takes a SQLAlchemy session and plain values and returns plain values (dicts,
lists, small frozen dataclasses); none writes, none checks permissions (the web layer checks
the permission of each page first, from :data:`homecoming.casework.accounts.PERMISSIONS`).

:func:`suppress_small_cells` is pure (no database): the disclosure control of the public
statistics.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import math
import threading
import weakref
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import numpy as np
from sqlalchemy import Table, distinct, func, select

from homecoming.casework.examinations import MECHANISM_WEAPON_CLASS, MechanismClass
from homecoming.errors import InputError, NotFoundError
from homecoming.storage import tables as t
from homecoming.storage import tables_identifications as ti

__all__ = ["KindSpec", "KINDS", "RecordPage", "RecordDetail", "RELATED_SHOWN", "list_records",
           "record_detail", "progress_counts", "map_features", "SuppressedTable",
           "suppress_small_cells", "public_statistics", "PUBLIC_DIMENSIONS",
           "SMALL_CELL_THRESHOLD", "age_group", "alphabetical_key"]


# --- record lists and details ---------------------------------------------------------------

@dataclass(frozen=True)
class KindSpec:
    """How one kind of record is listed: its table, key, list columns, searchable text
    columns, filterable enumeration columns and order."""

    kind: str
    table: Table
    key: str
    columns: tuple[str, ...]
    search: tuple[str, ...]
    filters: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    #: sort by ``order`` in alphabetical order (:func:`alphabetical_key`), not the database's
    alphabetical: bool = False


KINDS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    KindSpec("sites", t.sites, "id",
             ("id", "name", "verification_status", "reported_on", "responsible_agency"),
             ("id", "name", "responsible_agency"), ("verification_status",), ("id",)),
    KindSpec("hazard-areas", t.hazard_areas, "id",
             ("id", "site_id", "hazard", "cleared", "surveyed_on"), ("id", "site_id", "notes"),
             ("hazard",), ("id",)),
    KindSpec("graves", t.graves, "id",
             ("id", "site_id", "label", "grave_type", "status", "minimum_individuals"),
             ("id", "label", "marker_inscription"), ("status", "grave_type", "site_id"),
             ("id",)),
    KindSpec("exhumations", t.exhumations, "id",
             ("id", "grave_id", "started_on", "ended_on", "method"), ("id", "grave_id"),
             ("method",), ("id",)),
    KindSpec("remains", t.remains, "code",
             ("code", "kind", "grave_id", "recovered_on", "condition", "status"),
             ("code", "grave_id", "storage_location"), ("status", "kind", "condition"),
             ("code",)),
    KindSpec("examinations", t.examinations, "id",
             ("id", "remains_code", "examined_on", "sex", "mechanism", "manner", "status"),
             ("id", "remains_code", "prosector"), ("sex", "mechanism", "manner", "status"),
             ("id",)),
    KindSpec("samples", t.samples, "barcode",
             ("barcode", "source", "remains_code", "donor_id", "element", "collected_on",
              "result_status"),
             ("barcode", "remains_code", "donor_id", "laboratory"),
             ("source", "result_status", "element"), ("barcode",)),
    KindSpec("missing-persons", t.missing_persons, "id",
             ("id", "surname", "given_name", "patronymic", "birth_date", "sex", "status"),
             ("id", "surname", "given_name", "patronymic", "last_seen_place"),
             ("status", "sex"), ("surname", "given_name", "patronymic"), alphabetical=True),
    KindSpec("donors", t.donors, "id",
             ("id", "missing_person_id", "full_name", "relationship", "consent"),
             ("id", "missing_person_id", "full_name"), ("relationship", "consent"), ("id",)),
    KindSpec("incidents", t.incidents, "id",
             ("id", "occurred_on", "place", "weapon_class"), ("id", "place", "description"),
             ("weapon_class",), ("id",)),
)}


@dataclass(frozen=True)
class RecordPage:
    """One page of a record list."""

    kind: str
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    search: str
    filters: dict[str, str]
    filter_options: dict[str, list[str]]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class RecordDetail:
    """One record (its stored fields) and the records that belong to it."""

    kind: str
    key: str
    fields: dict[str, Any]
    related: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: label -> number of related records in all (the lists show the first RELATED_SHOWN)
    related_total: dict[str, int] = field(default_factory=dict)
    #: label -> query string of the related kind's list showing all of them (filtered by
    #: this record, or searched for its key where the list offers no such filter)
    related_query: dict[str, str] = field(default_factory=dict)


def _spec(kind: str) -> KindSpec:
    try:
        return KINDS[kind]
    except KeyError:
        raise NotFoundError(f"record kind {kind!r} is unknown; expected one of "
                            f"{', '.join(KINDS)}") from None


def list_records(session: Any, kind: str, *, search: str = "",
                 filters: Mapping[str, str] | None = None, page: int = 1,
                 page_size: int = 50, actor: str | None = None) -> RecordPage:
    """A page of records of ``kind`` (see :data:`KINDS`) in the kind's order, searched in its
    text columns (substring, case-insensitive in any alphabet) and filtered by equality on
    its enumeration columns. Unknown filters are an InputError.

    The order, the search texts and the filter values come from the kind's list index
    (:func:`_list_index`, kept in memory while the table does not change), so a page costs
    the same at 10^5 records as at 10^2: the filters in SQL, then only the page's rows."""
    spec = _spec(kind)
    table = spec.table
    chosen = {k: str(v) for k, v in (filters or {}).items() if v not in (None, "")}
    for name in chosen:
        if name not in spec.filters:
            raise InputError(f"filter {name!r} is not offered for {kind}; expected one of "
                             f"{', '.join(spec.filters) or 'none'}", field=name)
    conditions = [table.c[name] == value for name, value in chosen.items()]
    if actor is not None:  # consent and the read audit (issue 13): services.records
        from homecoming.services.records import audit_shown, withheld_conditions

        conditions.extend(withheld_conditions(session, kind, table, actor))
    search = (search or "").strip()[:100]
    page = max(1, int(page))
    page_size = max(1, min(int(page_size), 500))
    index = _list_index(session, spec)
    keys: Sequence[Any] = index.keys
    if search:
        needle = search.casefold()
        keys = [k for k, text in zip(index.keys, index.texts, strict=True) if needle in text]
    if conditions:
        allowed = set(session.execute(select(table.c[spec.key]).where(*conditions)).scalars())
        keys = [k for k in keys if k in allowed]
    rows = _rows_by_key(session, spec, keys[(page - 1) * page_size:page * page_size])
    if actor is not None:
        audit_shown(session, {kind: [r[spec.key] for r in rows]}, actor=actor,
                    where=f"web, list of {kind}")
    return RecordPage(kind, rows, len(keys), page, page_size, search, chosen,
                      {name: list(values) for name, values in index.options.items()})


def _rows_by_key(session: Any, spec: KindSpec, wanted: Sequence[Any]) -> list[dict[str, Any]]:
    """The list columns of the records ``wanted``, in that order (a record deleted since
    the index was read is left out)."""
    if not wanted:
        return []
    key = spec.table.c[spec.key]
    found = {row._mapping[spec.key]: dict(row._mapping) for row in session.execute(
        select(*[spec.table.c[c] for c in spec.columns]).where(key.in_(list(wanted))))}
    return [found[k] for k in wanted if k in found]


# --- list indexes: order, search texts and filter values of a kind, kept in memory ----------

@dataclass(frozen=True)
class _ListIndex:
    """Every record of one kind, in list order, with its search text (the search columns,
    case-folded) and the values its filters offer — as of ``state``
    (:func:`_table_state`). ``entries`` maps a key to (sort key, search text, filter
    values); ``order`` holds (sort key, key) sorted."""

    state: tuple[int, ...]
    keys: tuple[Any, ...]
    texts: tuple[str, ...]
    options: Mapping[str, tuple[str, ...]]
    entries: Mapping[Any, tuple[Any, str, tuple[Any, ...]]]
    order: tuple[tuple[Any, Any], ...]


#: the list indexes of each database (its connection pool) by kind; they go with the pool
_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, _ListIndex]] = weakref.WeakKeyDictionary()
_INDEX_LOCKS: weakref.WeakKeyDictionary[Any, dict[str, threading.Lock]] = \
    weakref.WeakKeyDictionary()
_GUARD = threading.Lock()
_CHANGES = ("insert", "update", "delete")
#: more changed records than this since the index was read: read it all again
_MAX_INCREMENTAL = 2000


def _pool(session: Any) -> Any:
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    return bind.engine.pool


def _table_state(session: Any, table: Table) -> tuple[int, ...]:
    """What tells whether ``table`` changed: its row count and the sequence numbers of its
    newest audited insert, update and delete (every change of a casework record is audited
    in the same transaction; reads are not changes). Index look-ups only
    (:mod:`homecoming.storage.tables_speed`)."""
    log = t.audit_log.c
    newest = [select(func.max(log.seq)).where(log.table_name == table.name,
                                              log.action == action).scalar_subquery()
              for action in _CHANGES]
    row = session.execute(select(select(func.count()).select_from(table).scalar_subquery(),
                                 *newest)).one()
    return tuple(int(v or 0) for v in row)


def _list_index(session: Any, spec: KindSpec) -> _ListIndex:
    """The list index of ``spec``'s kind: brought up to date from the audit trail (only the
    records changed since it was read are read again; the whole table after many changes),
    one reader at a time per kind (the others wait for it)."""
    state = _table_state(session, spec.table)
    pool = _pool(session)
    with _GUARD:
        cached = _INDEXES.setdefault(pool, {}).get(spec.kind)
        lock = _INDEX_LOCKS.setdefault(pool, {}).setdefault(spec.kind, threading.Lock())
    if cached is not None and cached.state == state:
        return cached
    with lock:
        with _GUARD:
            cached = _INDEXES.setdefault(pool, {}).get(spec.kind)
        if cached is not None and cached.state == state:
            return cached
        built = _update_index(session, spec, cached, state) if cached is not None else None
        if built is None:
            built = _read_index(session, spec, state)
        with _GUARD:
            _INDEXES.setdefault(pool, {})[spec.kind] = built
        return built


def _columns(spec: KindSpec) -> list[str]:
    return list(dict.fromkeys((spec.key, *(spec.order or (spec.key,)), *spec.search,
                               *spec.filters)))


def _entry(spec: KindSpec, names: list[str], row: Sequence[Any]
           ) -> tuple[Any, tuple[Any, str, tuple[Any, ...]]]:
    """(key, (sort key, search text, filter values)) of one row of ``names``."""
    value = dict(zip(names, row, strict=True))
    order = spec.order or (spec.key,)
    if spec.alphabetical:  # neither SQLite nor PostgreSQL collations know Ukrainian order
        sort: Any = "\x00".join(str(value[c] or "").casefold() for c in order) \
            .translate(_UK_ORDER)
    else:  # code point order, the same on both backends
        sort = "\x00".join(str(value[c] if value[c] is not None else "") for c in order)
    text = "\x1f".join(str(value[c]).casefold() for c in spec.search
                       if value[c] is not None)
    return value[spec.key], (sort, text, tuple(value[c] for c in spec.filters))


def _finish(spec: KindSpec, state: tuple[int, ...],
            entries: dict[Any, tuple[Any, str, tuple[Any, ...]]],
            order: list[tuple[Any, Any]]) -> _ListIndex:
    options = {name: tuple(sorted({str(e[2][i]) for e in entries.values()
                                   if e[2][i] is not None}))
               for i, name in enumerate(spec.filters)}
    keys = tuple(k for _, k in order)
    return _ListIndex(state, keys, tuple(entries[k][1] for k in keys), options, entries,
                      tuple(order))


def _read_index(session: Any, spec: KindSpec, state: tuple[int, ...]) -> _ListIndex:
    names = _columns(spec)
    table = spec.table
    entries = dict(_entry(spec, names, row) for row in
                   session.execute(select(*[table.c[n] for n in names])))
    order = sorted((e[0], k) for k, e in entries.items())
    return _finish(spec, state, entries, order)


def _update_index(session: Any, spec: KindSpec, cached: _ListIndex,
                  state: tuple[int, ...]) -> _ListIndex | None:
    """``cached`` with the records changed since it was read read again (None: too many
    changes, or the result does not add up to the table's row count)."""
    log = t.audit_log.c
    since = max(cached.state[1:])
    changed = set(session.execute(
        select(log.record_key).where(log.table_name == spec.table.name,
                                     log.action.in_(_CHANGES), log.seq > since)
        .limit(_MAX_INCREMENTAL + 1)).scalars())
    if len(changed) > _MAX_INCREMENTAL:
        return None
    names = _columns(spec)
    key = spec.table.c[spec.key]
    fresh: dict[Any, tuple[Any, str, tuple[Any, ...]]] = {}
    wanted = sorted(changed)
    for start in range(0, len(wanted), 500):
        fresh.update(_entry(spec, names, row) for row in session.execute(
            select(*[spec.table.c[n] for n in names])
            .where(key.in_(wanted[start:start + 500]))))
    entries = dict(cached.entries)
    order = list(cached.order)
    for k in changed:
        old = entries.pop(k, None)
        if old is not None:
            i = bisect.bisect_left(order, (old[0], k))
            if i < len(order) and order[i] == (old[0], k):
                del order[i]
        if k in fresh:
            entries[k] = fresh[k]
            bisect.insort(order, (fresh[k][0], k))
    if len(entries) != state[0]:
        return None
    return _finish(spec, state, entries, order)


# Ukrainian alphabetical order: Unicode puts ґ, є, і, ї outside а–я; map them next to their
# neighbours (г ґ, е є, и і ї); apostrophes do not count.
_UK_ORDER = str.maketrans({
    "ґ": "г\uffff", "є": "е\uffff", "і": "и\uffff", "ї": "и\uffff\uffff",
    "'": "", "’": "", "ʼ": "",
})


def alphabetical_key(text: str | None) -> str:
    """A key that sorts Ukrainian and Latin names alphabetically, case-insensitively (є after
    е, і and ї after и, ґ after г)."""
    return str(text or "").casefold().translate(_UK_ORDER)


def _rows(session: Any, table: Table, where: Any, order: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in session.execute(select(table).where(where)
                                                      .order_by(order))]


#: how many related records a detail page lists (the rest: a link to the filtered list)
RELATED_SHOWN = 50

#: the records shown under each kind's detail page: label -> (table, foreign key, order)
_RELATED: dict[str, dict[str, tuple[Table, str, str]]] = {
    "sites": {"hazard-areas": (t.hazard_areas, "site_id", "id"),
              "graves": (t.graves, "site_id", "id")},
    "graves": {"exhumations": (t.exhumations, "grave_id", "started_on"),
               "remains": (t.remains, "grave_id", "code")},
    "remains": {"examinations": (t.examinations, "remains_code", "examined_on"),
                "samples": (t.samples, "remains_code", "barcode")},
    "missing-persons": {"donors": (t.donors, "missing_person_id", "id")},
    "donors": {"samples": (t.samples, "donor_id", "barcode")},
    "incidents": {"remains": (t.remains, "incident_id", "code"),
                  "missing-persons": (t.missing_persons, "incident_id", "id")},
}


#: stored columns that are bookkeeping, not part of the record shown to people
INTERNAL_COLUMNS = frozenset({"row_version", "genotypes"})


def _shown(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in INTERNAL_COLUMNS}


def record_detail(session: Any, kind: str, key: str, *,
                  actor: str | None = None) -> RecordDetail:
    """One record of ``kind`` by its key, with its related records (their list columns; a
    sample: its custody timeline, oldest first, and whether it has a DNA profile — never the
    genotypes)."""
    spec = _spec(kind)
    row = session.execute(select(spec.table).where(spec.table.c[spec.key] == key)).first()
    if row is None:
        raise NotFoundError(f"{kind}: {key!r} not found")
    fields = _shown(row._mapping)
    related: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    queries: dict[str, str] = {}
    for label, (table, column, order) in _RELATED.get(kind, {}).items():
        # the related kind's list columns (its own page has the rest), the first
        # RELATED_SHOWN of them and how many there are: a site's hundreds of graves are a
        # short summary table and a link to the graves list filtered by the site
        where = [table.c[column] == key]
        if actor is not None:
            from homecoming.services.records import withheld_conditions

            where.extend(withheld_conditions(session, label, table, actor))
        related[label] = [dict(r._mapping) for r in session.execute(
            select(*[table.c[c] for c in KINDS[label].columns]).where(*where)
            .order_by(table.c[order], table.c[KINDS[label].key]).limit(RELATED_SHOWN))]
        totals[label] = len(related[label]) if len(related[label]) < RELATED_SHOWN else int(
            session.execute(select(func.count()).select_from(table).where(*where)).scalar_one())
        if column in KINDS[label].filters:
            queries[label] = urlencode({column: key})
        elif column in KINDS[label].search:
            queries[label] = urlencode({"q": key})
    if kind == "samples":
        related["custody"] = _rows(session, t.custody_events,
                                   (t.custody_events.c.item_kind == "sample")
                                   & (t.custody_events.c.item_id == key),
                                   t.custody_events.c.occurred_at)
        profile = session.execute(select(t.profiles.c.kit, t.profiles.c.quality,
                                         t.profiles.c.typed_on, t.profiles.c.laboratory)
                                  .where(t.profiles.c.sample_barcode == key)).first()
        related["profile"] = [] if profile is None else [dict(profile._mapping)]
    if kind == "remains":
        related["custody"] = _rows(session, t.custody_events,
                                   (t.custody_events.c.item_kind == "remains")
                                   & (t.custody_events.c.item_id == key),
                                   t.custody_events.c.occurred_at)
    related = {label: [_shown(item) for item in items] for label, items in related.items()}
    if actor is not None:  # consent and the read audit (issue 13): services.records
        from homecoming.services.records import audit_shown, is_withheld

        if is_withheld(session, kind, fields, actor):
            raise NotFoundError(f"{kind}: {key!r} not found")
        related = {label: [r for r in items if not is_withheld(session, label, r, actor)]
                   for label, items in related.items()}
        audit_shown(session, {kind: [key], **{label: [r.get("id") for r in items]
                                              for label, items in related.items()}},
                    actor=actor, where=f"web, {kind} {key}")
    return RecordDetail(kind, key, fields, related, totals, queries)


# --- dashboard ------------------------------------------------------------------------------

#: the dashboard's stages, from the site to the family, in order
PROGRESS_STAGES = ("graves_found", "graves_exhumed", "remains_recovered", "remains_examined",
                   "remains_sampled", "remains_profiled", "remains_identified",
                   "identifications_confirmed", "remains_returned")


def progress_counts(session: Any) -> dict[str, int]:
    """Counts from the site to the family (keys: :data:`PROGRESS_STAGES`, plus ``sites``,
    ``hazard_areas``, ``missing_persons`` and ``families``)."""

    def scalar(query: Any) -> int:
        return int(session.execute(query).scalar_one() or 0)

    def count(table: Table, *where: Any) -> int:
        return scalar(select(func.count()).select_from(table).where(*where))

    def count_distinct(column: Any, *where: Any) -> int:
        return scalar(select(func.count(distinct(column))).where(*where))

    remains_samples = (t.samples.c.source == "remains")
    ident = ti.identifications.c
    return {
        "sites": count(t.sites),
        "hazard_areas": count(t.hazard_areas),
        "graves_found": count(t.graves),
        "graves_exhumed": count_distinct(t.exhumations.c.grave_id),
        "remains_recovered": count(t.remains),
        "remains_examined": count_distinct(t.examinations.c.remains_code),
        "remains_sampled": count_distinct(t.samples.c.remains_code, remains_samples),
        "remains_profiled": scalar(
            select(func.count(distinct(t.samples.c.remains_code)))
            .select_from(t.samples.join(t.profiles,
                                        t.profiles.c.sample_barcode == t.samples.c.barcode))
            .where(remains_samples)),
        "remains_identified": count_distinct(
            ident.remains_code, ident.status.in_(("proposed", "reviewed", "confirmed"))),
        "identifications_confirmed": count_distinct(ident.remains_code,
                                                    ident.status == "confirmed"),
        "remains_returned": count_distinct(ti.releases.c.remains_code),
        "missing_persons": count(t.missing_persons),
        "families": count_distinct(t.donors.c.missing_person_id),
    }


# --- map --------------------------------------------------------------------------------------

def map_features(session: Any) -> dict[str, dict[str, Any]]:
    """GeoJSON FeatureCollections of the stored geometries, one per map layer: ``sites``,
    ``graves`` (those with a location) and ``hazards`` (mined / UXO areas)."""

    def collection(features: list[dict[str, Any]]) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": features}

    def feature(key: str, geometry: Any, props: dict[str, Any]) -> dict[str, Any]:
        geometry = dict(geometry)
        geometry["coordinates"] = geometry.get("coordinates")
        return {"type": "Feature", "id": key, "geometry": geometry,
                "properties": {"id": key, **props}}

    sites = [feature(r.id, r.location, {"name": r.name,
                                        "verification_status": r.verification_status})
             for r in session.execute(select(t.sites.c.id, t.sites.c.name, t.sites.c.location,
                                             t.sites.c.verification_status)
                                      .order_by(t.sites.c.id))]
    graves = [feature(r.id, r.location, {"label": r.label, "status": r.status,
                                         "site_id": r.site_id})
              for r in session.execute(select(t.graves.c.id, t.graves.c.label,
                                              t.graves.c.location, t.graves.c.status,
                                              t.graves.c.site_id)
                                       .where(t.graves.c.location.is_not(None))
                                       .order_by(t.graves.c.id))
              if r.location]
    hazards = [feature(r.id, r.area, {"hazard": r.hazard, "cleared": bool(r.cleared),
                                      "site_id": r.site_id})
               for r in session.execute(select(t.hazard_areas.c.id, t.hazard_areas.c.area,
                                               t.hazard_areas.c.hazard,
                                               t.hazard_areas.c.cleared,
                                               t.hazard_areas.c.site_id)
                                        .order_by(t.hazard_areas.c.id))]
    return {"sites": collection(sites), "graves": collection(graves),
            "hazards": collection(hazards)}


# --- public statistics: small-cell suppression -----------------------------------------------

#: cells below this count are hidden in public statistics
SMALL_CELL_THRESHOLD = 5


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table of counts with its margins, some entries hidden (None).

    ``cells[r][c]``, ``row_totals[r]``, ``column_totals[c]`` and ``total`` are the published
    values; ``primary`` and ``complementary`` list the hidden cells as (row, column), with a
    margin written as (row, -1), (-1, column) or (-1, -1)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...]
    column_totals: tuple[int | None, ...]
    total: int | None
    primary: frozenset[tuple[int, int]]
    complementary: frozenset[tuple[int, int]]


def suppress_small_cells(rows: Sequence[str], columns: Sequence[str],
                         counts: Sequence[Sequence[int]], *,
                         threshold: int = SMALL_CELL_THRESHOLD) -> SuppressedTable:
    """Hide the counts below ``threshold`` (zero included) and enough others that no hidden
    count can be worked out from the published ones and the totals.

    Primary suppression hides every cell and margin below the threshold. Complementary
    suppression then repeats two steps until nothing changes: (1) every row, column and the
    margins are sums, so a sum with exactly one hidden term would give it away: hide a
    published cell of that sum (a margin only if the sum has no published cell) — one that
    also pairs a lone hidden entry of another sum if there is one, else the smallest;
    (2) a hidden entry can still follow from several sums together: each hidden entry whose
    value is fixed by the system of sums (its unit vector lies in the row space of the
    equations restricted to the hidden entries) gets a partner hidden beside it, in its row
    (else its column). What the published table still reveals is ranges (e.g. a hidden pair
    sums to 7), never a single small count.
    """
    n_rows, n_cols = len(rows), len(columns)
    grid = np.asarray(counts, dtype=np.int64).reshape(n_rows, n_cols)
    if (grid < 0).any():
        raise InputError("counts must not be negative", field="counts")
    row_tot = grid.sum(axis=1)
    col_tot = grid.sum(axis=0)
    grand = int(grid.sum())
    # entries: cells (r, c), row totals (r, -1), column totals (-1, c), grand (-1, -1)
    value: dict[tuple[int, int], int] = {(r, c): int(grid[r, c]) for r in range(n_rows)
                                         for c in range(n_cols)}
    value.update({(r, -1): int(row_tot[r]) for r in range(n_rows)})
    value.update({(-1, c): int(col_tot[c]) for c in range(n_cols)})
    value[(-1, -1)] = grand
    # each sum: (its terms, its total); terms - total = 0
    sums: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    sums += [([(r, c) for c in range(n_cols)], (r, -1)) for r in range(n_rows)]
    sums += [([(r, c) for r in range(n_rows)], (-1, c)) for c in range(n_cols)]
    sums.append(([(r, -1) for r in range(n_rows)], (-1, -1)))
    sums.append(([(-1, c) for c in range(n_cols)], (-1, -1)))
    primary = {k for k, v in value.items() if v < threshold}
    hidden = set(primary)

    def lone(k: tuple[int, int], line: tuple[int, int]) -> bool:
        """Whether another sum (not the one with total ``line``) that ``k`` belongs to has
        exactly one hidden entry (hiding ``k`` then protects that sum too)."""
        return any(sum(m in hidden for m in terms + [total]) == 1
                   for terms, total in sums
                   if (k in terms or k == total) and total != line)

    def hide_partner(terms: list[tuple[int, int]], total: tuple[int, int]) -> bool:
        shown = [k for k in terms if k not in hidden]
        if not shown:
            shown = [total] if total not in hidden else []
        if not shown:
            return False
        hidden.add(min(shown, key=lambda k: (not lone(k, total), value[k], k)))
        return True

    index = {k: i for i, k in enumerate(value)}
    while True:
        changed = False
        for terms, total in sums:
            members = terms + [total]
            if sum(k in hidden for k in members) == 1:
                changed |= hide_partner(terms, total)
        if changed:
            continue
        determined = _determined(hidden, sums, index)
        if not determined:
            break
        key = min(determined)
        r, c = key
        lines = [(terms, total) for terms, total in sums if key in terms or key == total]
        if not any(hide_partner(terms, total) for terms, total in lines):
            break  # everything around it is hidden already (cannot happen with margins)
    def shown(k: tuple[int, int]) -> int | None:
        return None if k in hidden else value[k]

    return SuppressedTable(
        rows=tuple(rows), columns=tuple(columns),
        cells=tuple(tuple(shown((r, c)) for c in range(n_cols)) for r in range(n_rows)),
        row_totals=tuple(shown((r, -1)) for r in range(n_rows)),
        column_totals=tuple(shown((-1, c)) for c in range(n_cols)),
        total=shown((-1, -1)),
        primary=frozenset(primary), complementary=frozenset(hidden - primary))


def _determined(hidden: set[tuple[int, int]],
                sums: list[tuple[list[tuple[int, int]], tuple[int, int]]],
                index: Mapping[tuple[int, int], int]) -> list[tuple[int, int]]:
    """The hidden entries whose value the published sums fix."""
    if not hidden:
        return []
    order = sorted(hidden)
    column = {k: i for i, k in enumerate(order)}
    equations = []
    for terms, total in sums:
        row = np.zeros(len(order))
        for k in terms:
            if k in column:
                row[column[k]] += 1.0
        if total in column:
            row[column[total]] -= 1.0
        if row.any():
            equations.append(row)
    if not equations:
        return []
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    out = []
    for k, i in column.items():
        unit = np.zeros(len(order))
        unit[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            out.append(k)
    return out


def age_group(age: Any) -> str:
    """``child`` (< 18), ``adult`` (18–59), ``older`` (60 and over) from the midpoint of an
    estimated age range; ``unknown`` without one."""
    if not age:
        return "unknown"
    try:
        middle = (float(age["minimum"]) + float(age["maximum"])) / 2
    except (KeyError, TypeError, ValueError):
        return "unknown"
    return "child" if middle < 18 else "adult" if middle < 60 else "older"


#: the dimensions of the public statistics: name -> the categories, in display order
PUBLIC_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "sex": ("male", "female", "unknown"),
    "age_group": ("child", "adult", "older", "unknown"),
    "status": ("civilian", "military", "unknown"),
    "weapon_class": ("explosive_wide_area", "mines_erw", "small_arms", "other",
                     "undetermined"),
}


def public_statistics(session: Any, dimension: str, *, by: str = "site",
                      threshold: int = SMALL_CELL_THRESHOLD) -> SuppressedTable:
    """Examined remains counted by ``dimension`` (see :data:`PUBLIC_DIMENSIONS`) per site
    (``by="site"``, rows are site names) or per year of recovery (``by="year"``), with small
    cells suppressed. Each remains is counted once (its latest examination)."""
    if dimension not in PUBLIC_DIMENSIONS:
        raise InputError(f"statistics dimension {dimension!r} is unknown; expected one of "
                         f"{', '.join(PUBLIC_DIMENSIONS)}", field="dimension")
    if by not in ("site", "year"):
        raise InputError(f"statistics by {by!r}: expected 'site' or 'year'", field="by")
    ex, rm, gr, st = t.examinations.c, t.remains.c, t.graves.c, t.sites.c
    query = (select(ex.remains_code, ex.examined_on, ex.sex, ex.age, ex.status, ex.mechanism,
                    rm.recovered_on, st.name.label("site"))
             .select_from(t.examinations.join(t.remains, rm.code == ex.remains_code)
                          .outerjoin(t.graves, gr.id == rm.grave_id)
                          .outerjoin(t.sites, st.id == gr.site_id))
             .order_by(ex.remains_code, ex.examined_on))
    latest: dict[str, Any] = {}
    for row in session.execute(query):
        latest[row.remains_code] = row
    categories = PUBLIC_DIMENSIONS[dimension]
    tally: Counter[tuple[str, str]] = Counter()
    for row in latest.values():
        if dimension == "sex":
            value = row.sex if row.sex in categories else "unknown"
        elif dimension == "age_group":
            value = age_group(row.age)
        elif dimension == "status":
            value = row.status if row.status in categories else "unknown"
        else:
            try:
                value = MECHANISM_WEAPON_CLASS[MechanismClass(row.mechanism)].value
            except ValueError:
                value = "undetermined"
        if by == "site":
            key = row.site or "—"
        else:
            when = row.recovered_on or row.examined_on
            key = str(when.year) if isinstance(when, _dt.date) else "—"
        tally[(key, value)] += 1
    row_names = sorted({k for k, _ in tally})
    counts = [[tally[(r, c)] for c in categories] for r in row_names]
    return suppress_small_cells(row_names, categories, counts, threshold=threshold)
