"""The lab's upload page: a GeneMapper / CODIS / CSV file is checked first (a dry run through
the importers, nothing written) and its import report shown; the person then confirms and the
very bytes that were checked are imported (:mod:`homecoming.web.staging` keeps them under a
token of this session, with their SHA-256).

The page and its reports show sample bar-codes only, never a person's name. Permission:
``records.import`` plus the ``*.write`` of what the file stores
(:data:`homecoming.services.uploads.UPLOAD_KINDS`); the route itself needs ``profiles.write``
(the laboratory and the administrator).
"""

from __future__ import annotations

import threading

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from homecoming.services.uploads import UPLOAD_KINDS, run_upload, upload_permissions
from homecoming.web import i18n
from homecoming.web.app import render
from homecoming.web.i18n import lazy
from homecoming.web.security import Context, Forbidden, route
from homecoming.web.staging import MAX_BYTES, UploadStore, owner_key

__all__ = ["router", "KIND_LABELS", "upload_store"]

router = APIRouter()

#: upload kind -> its label on the page
KIND_LABELS = {
    "genemapper": lazy("GeneMapper ID/ID-X allele table"),
    "codis": lazy("CODIS CMF 3.2 (XML)"),
    "profiles": lazy("Profiles (CSV)"),
    "staff-profiles": lazy("Staff elimination profiles (CSV)"),
    "samples": lazy("Samples (CSV)"),
}
assert set(KIND_LABELS) == set(UPLOAD_KINDS)

_lock = threading.Lock()


def upload_store(ctx: Context) -> UploadStore:
    """The uploads kept between a dry run and its confirmation (one store per application:
    two applications in one process, e.g. on two databases, never share a token)."""
    state = ctx.request.app.state
    with _lock:
        found: UploadStore | None = getattr(state, "lab_uploads", None)
        if found is None:
            found = state.lab_uploads = UploadStore()
    return found


def _owner(ctx: Context) -> str:
    assert ctx.web_session is not None
    return owner_key(ctx.web_session.account.name, ctx.web_session.csrf_token)


def _may_upload(ctx: Context, kind: str) -> None:
    for permission in upload_permissions(kind):
        if not ctx.may(permission):
            raise Forbidden(permission)


def _kinds(ctx: Context) -> dict[str, str]:
    return {k: str(label) for k, label in KIND_LABELS.items()
            if all(ctx.may(p) for p in upload_permissions(k))}


def _page(ctx: Context, *, status: int = 200, **values: object) -> Response:
    """The whole page, or only the result block for htmx."""
    values.setdefault("report", None)
    values.setdefault("staged", None)
    values.setdefault("error", None)
    values.setdefault("chosen", "genemapper")
    values.setdefault("imported", False)
    values.setdefault("discarded", False)
    template = "lab_result.html" if ctx.request.headers.get("hx-request") else "lab_upload.html"
    return render(ctx, template, status=status, kinds=_kinds(ctx), kind_labels=KIND_LABELS,
                  max_mb=MAX_BYTES // (1024 * 1024), **values)


@route(router, "GET", "/lab/upload", "profiles.write")
def upload_page(ctx: Context) -> Response:
    return _page(ctx)


@route(router, "POST", "/lab/upload", "profiles.write")
async def upload(ctx: Context, kind: str = Form(""), file: UploadFile | None = File(None),
                 replace: str = Form(""), kit: str = Form(""),
                 laboratory: str = Form("")) -> Response:
    """Keep the file and dry-run it: the import report, and the confirmation form."""
    if kind not in UPLOAD_KINDS:
        return _page(ctx, status=400, error=i18n.gettext("Choose what the file holds."))
    _may_upload(ctx, kind)
    if file is None or not file.filename:
        return _page(ctx, status=400, chosen=kind, error=i18n.gettext("Choose a file."))
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _page(ctx, status=413, chosen=kind, error=i18n.gettext(
            "The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)})
    if not data:
        return _page(ctx, status=400, chosen=kind, error=i18n.gettext("The file is empty."))
    options = {"replace": "yes" if replace else "", "kit": kit.strip()[:100],
               "laboratory": laboratory.strip()[:200]}
    store = upload_store(ctx)
    staged = store.put(data, owner=_owner(ctx), kind=kind, filename=file.filename,
                       options=options)
    report = await run_in_threadpool(
        run_upload, ctx.db, kind, staged.path, filename=staged.filename, dry_run=True,
        replace=bool(options["replace"]), kit=options["kit"] or None,
        laboratory=options["laboratory"] or None, expected_sha256=staged.sha256,
        actor=ctx.user)
    if not report.ok or report.stored == 0:
        store.discard(staged.token)
        return _page(ctx, chosen=kind, report=report)
    return _page(ctx, chosen=kind, report=report, staged=staged)


@route(router, "POST", "/lab/upload/{token}/confirm", "profiles.write")
def confirm(ctx: Context, token: str, sha256: str = Form("")) -> Response:
    """Import the kept upload ``token``, if it is still the file that was dry-run."""
    store = upload_store(ctx)
    staged = store.get(token, owner=_owner(ctx))
    _may_upload(ctx, staged.kind)
    if sha256 != staged.sha256:
        return _page(ctx, status=409, chosen=staged.kind, error=i18n.gettext(
            "The confirmed file is not the one that was checked; upload it again."))
    options = staged.options
    try:
        report = run_upload(ctx.db, staged.kind, staged.path, filename=staged.filename,
                            dry_run=False, replace=bool(options.get("replace")),
                            kit=options.get("kit") or None,
                            laboratory=options.get("laboratory") or None,
                            expected_sha256=sha256, actor=ctx.user)
    finally:
        store.discard(token)
    return _page(ctx, chosen=staged.kind, report=report, imported=True)


@route(router, "POST", "/lab/upload/{token}/discard", "profiles.write")
def discard(ctx: Context, token: str) -> Response:
    """Forget the kept upload (nothing was written)."""
    store = upload_store(ctx)
    store.get(token, owner=_owner(ctx))
    store.discard(token)
    if ctx.request.headers.get("hx-request"):
        return _page(ctx, discarded=True)
    return RedirectResponse("/lab/upload", status_code=303)
