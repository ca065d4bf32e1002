"""The DNA analyst's pages: the screening candidates (LR, relationship, the per-marker LR table,
links to the samples, remains and identifications), and the identification run of the stored
case, started in the background with its progress shown (htmx polls
``/analysis/run/progress``) and then linked to the new proposals in the review queue.

The run is :func:`homecoming.services.case_identification.identify_stored_case` (the whole
stored case) or :func:`homecoming.services.incremental.identify_incrementally` (only what
newly imported profiles change); both report their progress through the callbacks of
:class:`homecoming.web.jobs.Job` (groups solved, and the engine's stages of
:mod:`homecoming.identification.progress`).
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse, Response

from homecoming.errors import NotFoundError
from homecoming.identification.screening import RELATIONSHIPS
from homecoming.services import analysis
from homecoming.web import i18n
from homecoming.web.app import render
from homecoming.web.i18n import lazy
from homecoming.web.jobs import Job, JobRunner
from homecoming.web.security import Context, route

__all__ = ["router", "job_runner", "STAGE_NAMES", "RELATIONSHIP_LABELS", "SCOPES"]

router = APIRouter()

_lock = threading.Lock()


def job_runner(ctx: Context) -> JobRunner:
    """The background jobs of this application (one runner per application, so that a run
    on one database never stands in for a run on another in the same process)."""
    state = ctx.request.app.state
    with _lock:
        found: JobRunner | None = getattr(state, "jobs", None)
        if found is None:
            found = state.jobs = JobRunner()
    return found

#: the identification engine's stages (identification.progress.STAGE_LABELS) on the page
STAGE_NAMES = {
    "loading": lazy("Reading the stored case"),
    "pairwise": lazy("Pairwise LRs"),
    "options": lazy("Family sub-assignments"),
    "joint": lazy("Joint search"),
    "marginals": lazy("Marginal posteriors"),
    "conclusions": lazy("Conclusions"),
    "storing": lazy("Storing the results"),
}

RELATIONSHIP_LABELS = {
    "direct": lazy("direct match"),
    "parent_child": lazy("parent and child"),
    "full_sibling": lazy("full siblings"),
    "half_sibling": lazy("half siblings"),
}

#: what a run identifies
SCOPES = {
    "case": lazy("The whole stored case"),
    "new": lazy("Only what newly imported profiles change"),
}

#: the newest identification runs listed on the run page
RUNS_SHOWN = 10

_BARCODES = re.compile(r"[\s,;]+")


# --- screening candidates --------------------------------------------------------------------

@route(router, "GET", "/analysis/candidates", "screen.run")
def candidates(ctx: Context, relationship: str = "", min_lr: str = "", q: str = "",
               page: int = 1, job: str = "") -> Response:
    return _candidates(ctx, relationship, min_lr, q, page, job)


def _candidates(ctx: Context, relationship: str = "", min_lr: str = "", q: str = "",
                page: int = 1, job: str = "", *, screen_error: str | None = None,
                status: int = 200) -> Response:
    runner = job_runner(ctx)
    screen_job = runner.get(job) if job else runner.latest("screen")
    if screen_job is not None and screen_job.kind != "screen":
        raise NotFoundError("this job is not a screening")
    chosen = relationship if relationship in RELATIONSHIPS else ""
    threshold = _log10(min_lr)
    with ctx.db.session() as session:
        rows = analysis.candidate_rows(session, relationship=chosen or None,
                                       min_log10_lr=threshold, search=q[:100] or None,
                                       actor=ctx.user)
    size = ctx.request.app.state.config.page_size
    pages = max(1, math.ceil(len(rows) / size))
    page = min(max(1, page), pages)
    return render(ctx, "analysis_candidates.html", rows=rows[(page - 1) * size:page * size],
                  total=len(rows), page=page, pages=pages, chosen=chosen, min_lr=min_lr,
                  q=q, relationships=RELATIONSHIP_LABELS, screen_job=screen_job,
                  screen_error=screen_error, status=status)


@route(router, "POST", "/analysis/screen", "screen.run")
async def start_screening(ctx: Context) -> Response:
    """Run the screening of the stored profiles in the background (it replaces the stored
    candidates of the chosen relationships) and go to its progress."""
    form = await ctx.request.form()
    chosen = [r for r in form.getlist("relationship") if r in RELATIONSHIPS]
    if not chosen:
        return _candidates(ctx, status=400, screen_error=i18n.gettext(
            "Choose at least one relationship."))
    db, actor = ctx.db, ctx.user

    def work(job: Job) -> dict[str, Any]:
        from homecoming.services.screening import screen

        result = screen(db, relationships=chosen, actor=actor, progress=job.on_groups)
        return {"stored": int(result.stored or 0), "pairs": result.pair_tests,
                "relationships": chosen}

    started = job_runner(ctx).start("screen", actor or "", work)
    return RedirectResponse(f"/analysis/candidates?job={started.id}", status_code=303)


@route(router, "GET", "/analysis/screen/progress", "screen.run")
def screen_progress(ctx: Context, job: str = "") -> Response:
    """The screening's progress block (htmx polls it); without htmx, the candidates page."""
    if not ctx.request.headers.get("hx-request"):
        target = "/analysis/candidates" + (f"?job={quote(job, safe='')}" if job else "")
        return RedirectResponse(target, status_code=303)
    current = job_runner(ctx).get(job) if job else job_runner(ctx).latest("screen")
    if current is None or current.kind != "screen":
        raise NotFoundError("no screening has been started")
    return render(ctx, "analysis_screen_progress.html", job=current)


def _log10(text: str) -> float | None:
    """The log10 of an LR typed in the filter ("10000", "1e4"); None if empty or not a
    positive number."""
    try:
        value = float(text.replace(",", ".").strip())
    except ValueError:
        return None
    return math.log10(value) if value > 0 and math.isfinite(value) else None


@route(router, "GET", "/analysis/candidates/detail", "screen.run")
def candidate(ctx: Context, pm: str = "", ref: str = "", relationship: str = "") -> Response:
    if not (pm and ref and relationship in RELATIONSHIPS):
        return RedirectResponse("/analysis/candidates", status_code=303)
    item = analysis.candidate_detail(ctx.db, pm, ref, relationship, actor=ctx.user)
    return render(ctx, "analysis_candidate.html", item=item,
                  relationships=RELATIONSHIP_LABELS)


# --- the identification run ------------------------------------------------------------------

def _work(ctx: Context, scope: str, profile_ids: list[str],
          rule: tuple[float, int] | None = None, dropout: float | None = None) -> Any:
    """The run; ``rule``: the screening rule (min log10 LR, top), ``dropout``: the drop-out
    probability of the post-mortem profiles; None: the service's own (the default for the
    whole case, the latest stored run's for new profiles)."""
    db, actor = ctx.db, ctx.user
    screening: dict[str, Any] = ({} if rule is None else
                                 {"min_log10_lr": rule[0], "top": rule[1]})
    if dropout is not None:
        screening["dropout"] = dropout

    def work(job: Job) -> dict[str, Any]:
        from homecoming.services.case_identification import identify_stored_case
        from homecoming.services.incremental import identify_incrementally

        job.on_stage("loading", 0, 1)
        if scope == "new":
            inc = identify_incrementally(db, profile_ids=profile_ids, actor=actor,
                                         progress=job.on_groups, **screening)
            job.on_stage("storing", 1, 1)
            stored = inc.stored
            summary = inc.case.result.summary() if inc.case is not None else {
                "groups_solved": inc.groups_solved}
            warnings = inc.warnings
        else:
            out = identify_stored_case(db, store=True, actor=actor, progress=job.on_groups,
                                       stage_progress=job.on_stage, **screening)
            job.on_stage("storing", 1, 1)
            stored, summary, warnings = out.stored, out.result.summary(), out.result.warnings
        return {"scope": scope, "run_id": stored.run_id if stored else None,
                "stored": list(stored.stored) if stored else [],
                "unchanged": len(stored.unchanged) if stored else 0,
                "stale": list(stored.stale) if stored else [],
                "summary": summary, "warnings": len(warnings)}
    return work


def _run_page(ctx: Context, job: Job | None, *, error: str | None = None,
              status: int = 200, scope: str = "case", profiles: str = "",
              rule: tuple[str, str, str] | None = None) -> Response:
    from homecoming.services.incremental import latest_run_settings

    latest = latest_run_settings(ctx.db)
    shown = rule if rule is not None else (format(latest.min_log10_lr, "g"), str(latest.top),
                                           format(latest.dropout, "g"))
    runs: list[dict[str, object]] | None = None
    if ctx.may("identifications.view"):
        from homecoming.services.identifications import list_runs

        with ctx.db.session() as session:
            runs = list_runs(session, limit=RUNS_SHOWN, actor=ctx.user)
    return render(ctx, "analysis_run.html", status=status, job=job, error=error,
                  scopes=SCOPES, scope=scope, profiles=profiles, stage_names=STAGE_NAMES,
                  rule_run=latest.run_id, screen_min=shown[0], screen_top=shown[1],
                  dropout=shown[2], runs=runs)


def _dropout(text: str) -> float | str:
    """The drop-out probability of the form, or the message that says what is wrong."""
    from homecoming.errors import InputError
    from homecoming.services.case_identification import dropout_probability

    message = i18n.gettext("The drop-out probability must be a number from 0 to below 1, "
                           "e.g. 0.05.")
    try:
        return dropout_probability(float(text.strip().replace(",", ".")))
    except (ValueError, InputError):
        return message


def _screening_rule(min_text: str, top_text: str) -> tuple[float, int] | str:
    """The screening rule of the form, or the message that says what is wrong."""
    from homecoming.errors import InputError
    from homecoming.services.screening import check_screening_rule

    text = top_text.strip()
    if not text.isdigit():
        return i18n.gettext("The number of best remains per missing person must be a whole "
                            "number, 0 or more.")
    try:     # the top is a whole number >= 0 here: what is refused is the minimum
        return check_screening_rule(float(min_text.strip().replace(",", ".")), int(text))
    except (ValueError, InputError):
        return i18n.gettext("The minimum log10 LR must be a number above 0, e.g. 2 "
                            "(LR 100).")


def _identify_job(ctx: Context, job: str) -> Job | None:
    current = job_runner(ctx).get(job) if job else job_runner(ctx).latest("identify")
    if current is not None and current.kind != "identify":
        raise NotFoundError("this job is not an identification run")
    return current


@route(router, "GET", "/analysis/run", "identify.run")
def run_page(ctx: Context, job: str = "") -> Response:
    return _run_page(ctx, _identify_job(ctx, job))


@route(router, "POST", "/analysis/run", "identify.run")
def start_run(ctx: Context, scope: str = Form(""), profiles: str = Form(""),
              screen_min_log10_lr: str = Form(""), screen_top: str = Form(""),
              dropout: str = Form("")) -> Response:
    """Start the identification run in the background and go to its progress. The screening
    rule fields, where given (the page fills in the latest stored run's rule), are the rule of
    the run (``identify --screen-min-log10-lr``, ``--screen-top``); the drop-out field, where
    given (filled in with the latest stored run's), is its drop-out (``identify --dropout``)."""
    given = (screen_min_log10_lr, screen_top, dropout)
    if scope not in SCOPES:
        return _run_page(ctx, None, status=400, rule=given,
                         error=i18n.gettext("Choose what to identify."))
    ids = [p for p in _BARCODES.split(profiles.strip()) if p][:10000]
    if scope == "new" and not ids:
        return _run_page(ctx, None, status=400, scope=scope, rule=given, error=i18n.gettext(
            "Give the bar-codes of the newly imported profiles."))
    rule: tuple[float, int] | None = None
    if screen_min_log10_lr.strip() or screen_top.strip():
        checked = _screening_rule(screen_min_log10_lr, screen_top)
        if isinstance(checked, str):
            return _run_page(ctx, None, status=400, scope=scope, profiles=profiles,
                             rule=given, error=checked)
        rule = checked
    probability: float | None = None
    if dropout.strip():
        checked_dropout = _dropout(dropout)
        if isinstance(checked_dropout, str):
            return _run_page(ctx, None, status=400, scope=scope, profiles=profiles,
                             rule=given, error=checked_dropout)
        probability = checked_dropout
    job = job_runner(ctx).start("identify", ctx.user or "",
                                _work(ctx, scope, ids, rule, probability))
    return RedirectResponse(f"/analysis/run?job={job.id}", status_code=303)


@route(router, "GET", "/analysis/run/progress", "identify.run")
def run_progress(ctx: Context, job: str = "") -> Response:
    """The progress block (htmx polls it while the run goes on), or the whole page."""
    current = _identify_job(ctx, job)
    if not ctx.request.headers.get("hx-request"):
        return _run_page(ctx, current)
    if current is None:
        raise NotFoundError("no identification run has been started")
    return render(ctx, "analysis_progress.html", job=current, stage_names=STAGE_NAMES)
