"""The dashboard: progress from the site to the family, as numbers and a bar chart."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from homecoming.services.web_queries import PROGRESS_STAGES, progress_counts
from homecoming.web.app import render
from homecoming.web.i18n import lazy
from homecoming.web.security import Context, route

router = APIRouter()

#: stage -> its label on the dashboard
STAGE_LABELS = {
    "graves_found": lazy("Graves found"),
    "graves_exhumed": lazy("Graves exhumed"),
    "remains_recovered": lazy("Remains recovered"),
    "remains_examined": lazy("Remains examined"),
    "remains_sampled": lazy("Remains sampled"),
    "remains_profiled": lazy("Remains with a DNA profile"),
    "remains_identified": lazy("Remains identified"),
    "identifications_confirmed": lazy("Identifications confirmed"),
    "remains_returned": lazy("Remains returned to families"),
}


@route(router, "GET", "/dashboard", "stats.view")
def dashboard(ctx: Context) -> Response:
    with ctx.db.session() as session:
        counts = progress_counts(session)
    stages = [(name, STAGE_LABELS[name], counts[name]) for name in PROGRESS_STAGES]
    top = max([c for _, _, c in stages] + [1])
    return render(ctx, "dashboard.html", counts=counts, stages=stages, top=top)
