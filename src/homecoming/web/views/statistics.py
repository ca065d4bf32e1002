"""Statistics with small-cell suppression: for signed-in roles (``stats.view``) and, when
switched on by configuration, for the public without log-in (tables and CSV)."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter
from fastapi.responses import Response

from homecoming.errors import NotFoundError
from homecoming.services.web_queries import (
    PUBLIC_DIMENSIONS,
    SMALL_CELL_THRESHOLD,
    public_statistics,
)
from homecoming.web.app import render
from homecoming.web.security import PUBLIC, Context, route

router = APIRouter()


def _tables(ctx: Context, by: str) -> list:
    by = by if by in ("site", "year") else "site"
    with ctx.db.session() as session:
        return [(name, public_statistics(session, name, by=by)) for name in PUBLIC_DIMENSIONS]


def _enabled(ctx: Context) -> None:
    if not ctx.request.app.state.config.public_statistics:
        raise NotFoundError("public statistics are not published here")


@route(router, "GET", "/statistics", "stats.view")
def statistics(ctx: Context, by: str = "site") -> Response:
    return render(ctx, "statistics.html", tables=_tables(ctx, by), by=by, public=False,
                  threshold=SMALL_CELL_THRESHOLD)


@route(router, "GET", "/public/statistics", PUBLIC)
def public_page(ctx: Context, by: str = "site") -> Response:
    _enabled(ctx)
    return render(ctx, "statistics.html", tables=_tables(ctx, by), by=by, public=True,
                  threshold=SMALL_CELL_THRESHOLD)


@route(router, "GET", "/public/statistics.csv", PUBLIC)
def public_csv(ctx: Context, by: str = "site") -> Response:
    """One CSV: dimension, row (site or year), category, count (empty where suppressed)."""
    _enabled(ctx)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dimension", by if by in ("site", "year") else "site", "category",
                     "count"])
    for name, table in _tables(ctx, by):
        for r, row_name in enumerate(table.rows):
            for c, column in enumerate(table.columns):
                value = table.cells[r][c]
                writer.writerow([name, row_name, column, "" if value is None else value])
            writer.writerow([name, row_name, "total",
                             "" if table.row_totals[r] is None else table.row_totals[r]])
        for c, column in enumerate(table.columns):
            value = table.column_totals[c]
            writer.writerow([name, "total", column, "" if value is None else value])
        writer.writerow([name, "total", "total", "" if table.total is None else table.total])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             'attachment; filename="homecoming-statistics.csv"'})
