"""Stored identifications: their statuses, the review state machine and the four-eyes rules.

An identification proposed by an identification run goes through review before a family is
told::

    proposed --accept (analyst, not the runner)--> reviewed --confirm (board, neither)--> confirmed
        \\                                            \\
         --reject (reason required)--> rejected       --reject (reason required)--> rejected

A later run that changes a reviewed or confirmed identification's LR by more than a factor of
10, or brings a competing candidate, marks it ``stale`` (and its new version is ``proposed``,
back in the queue); a later run that changes a proposed one marks it ``superseded``. A
conclusion that names no identification (no match, inconclusive, ...) is stored as
``unresolved`` and is not reviewed. Nothing is overwritten: statuses change, rows stay.

This module is pure (no database): :mod:`homecoming.services.review` enforces it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable

from homecoming.errors import InputError, PermissionDenied

__all__ = ["IdentificationStatus", "ReviewAction", "TRANSITIONS", "check_review",
           "REVIEWABLE", "STALE_LR_FACTOR", "verbal_equivalent", "VERBAL_SCALE",
           "VERBAL_SCALE_SOURCE"]


class IdentificationStatus(enum.Enum):
    PROPOSED = "proposed"
    REVIEWED = "reviewed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    STALE = "stale"
    SUPERSEDED = "superseded"
    UNRESOLVED = "unresolved"     # the run named no identification for this missing person
    RECORDED = "recorded"         # a later run with only a minor change; the reviewed one stands


class ReviewAction(enum.Enum):
    ACCEPT = "accept"
    CONFIRM = "confirm"
    REJECT = "reject"
    STALE = "stale"
    SUPERSEDE = "supersede"


S = IdentificationStatus
#: (action, from status) -> to status; anything else is refused
TRANSITIONS: dict[tuple[ReviewAction, IdentificationStatus], IdentificationStatus] = {
    (ReviewAction.ACCEPT, S.PROPOSED): S.REVIEWED,
    (ReviewAction.CONFIRM, S.REVIEWED): S.CONFIRMED,
    (ReviewAction.REJECT, S.PROPOSED): S.REJECTED,
    (ReviewAction.REJECT, S.REVIEWED): S.REJECTED,
    (ReviewAction.STALE, S.REVIEWED): S.STALE,
    (ReviewAction.STALE, S.CONFIRMED): S.STALE,
    (ReviewAction.SUPERSEDE, S.PROPOSED): S.SUPERSEDED,
    (ReviewAction.SUPERSEDE, S.UNRESOLVED): S.SUPERSEDED,
    (ReviewAction.SUPERSEDE, S.RECORDED): S.SUPERSEDED,
}

#: statuses a reviewer can act on
REVIEWABLE = frozenset({S.PROPOSED, S.REVIEWED})
#: a reviewed or confirmed identification becomes stale when a new run changes its LR by
#: more than this factor (either way)
STALE_LR_FACTOR = 10.0


def check_review(action: ReviewAction | str, status: IdentificationStatus | str, *,
                 actor: str, ident_id: str, run_by: str, accepted_by: Iterable[str] = (),
                 reason: str | None = None) -> IdentificationStatus:
    """The status after ``action`` by ``actor``; raise if the step is not allowed.

    Four-eyes rules: the person who ran the identification may not accept it; the person who
    accepted it (or ran it) may not confirm it; nobody accepts twice. A rejection needs a
    reason.

    :raises InputError: the step does not exist from this status, or a reason is missing.
    :raises PermissionDenied: the four-eyes rules refuse this person.
    """
    action = ReviewAction(action)
    status = IdentificationStatus(status)
    accepted = set(accepted_by)
    if action is ReviewAction.ACCEPT and actor in accepted:
        raise PermissionDenied(f"{actor!r} already accepted identification {ident_id}; "
                               "expected another analyst")
    target = TRANSITIONS.get((action, status))
    if target is None:
        allowed = sorted({a.value for a, s in TRANSITIONS if s is status
                          and a in (ReviewAction.ACCEPT, ReviewAction.CONFIRM,
                                    ReviewAction.REJECT)})
        raise InputError(f"identification {ident_id}: cannot {action.value} it while it is "
                         f"{status.value}; expected {' or '.join(allowed) or 'no review step'}",
                         field="status", value=status.value)
    if action is ReviewAction.ACCEPT:
        if actor == run_by:
            raise PermissionDenied(f"{actor!r} ran identification {ident_id} and may not "
                                   "accept it; expected another analyst")
    if action is ReviewAction.CONFIRM:
        if actor == run_by:
            raise PermissionDenied(f"{actor!r} ran identification {ident_id} and may not "
                                   "confirm it; expected a board member who neither ran nor "
                                   "reviewed it")
        if actor in accepted:
            raise PermissionDenied(f"{actor!r} reviewed identification {ident_id} and may not "
                                   "confirm it; expected a board member who neither ran nor "
                                   "reviewed it")
    if action is ReviewAction.REJECT and not (reason or "").strip():
        raise InputError(f"identification {ident_id}: a rejection needs a reason; expected "
                         "--reason TEXT", field="reason")
    return target


#: ENFSI Guideline for Evaluative Reporting in Forensic Science (European Network of Forensic
#: Science Institutes, 2015), verbal equivalents of likelihood ratios: (lower bound of the LR,
#: words). Below 1 the same words apply to the alternative proposition.
VERBAL_SCALE: tuple[tuple[float, str], ...] = (
    (1.0, "no support for either proposition"),
    (2.0, "weak support"),
    (10.0, "moderate support"),
    (100.0, "moderately strong support"),
    (1_000.0, "strong support"),
    (10_000.0, "very strong support"),
    (1_000_000.0, "extremely strong support"),
)
VERBAL_SCALE_SOURCE = ("ENFSI Guideline for Evaluative Reporting in Forensic Science "
                       "(European Network of Forensic Science Institutes, 2015), verbal scale "
                       "for likelihood ratios")


def verbal_equivalent(lr: float | None, *, proposition: str = "that the remains are the "
                      "missing person", alternative: str = "that they are an unrelated "
                      "person") -> str:
    """The ENFSI (2015) verbal equivalent of ``lr`` as a sentence fragment."""
    if lr is None or (isinstance(lr, float) and math.isnan(lr)):
        return "no likelihood ratio"
    if lr <= 0:
        return f"the findings exclude the proposition {proposition}"
    towards, value = (proposition, lr) if lr >= 1 else (alternative, 1.0 / lr)
    words = VERBAL_SCALE[0][1]
    for bound, text in VERBAL_SCALE:
        if value >= bound:
            words = text
    if words == VERBAL_SCALE[0][1]:
        return "the findings give no support for either proposition"
    return f"{words} for the proposition {towards}"


def status_count_labels() -> dict[str, str]:
    """Labels of the per-status counts that ``homecoming stats`` shows (keys of
    ``Database.counts()``): identifications by status and remains by status."""
    from homecoming.casework.remains import RemainsStatus

    out = {"identifications": "identifications (all versions)"}
    out.update({f"identifications_{s.value}": f"  identifications {s.value}"
                for s in IdentificationStatus})
    out.update({f"remains_{s.value}": f"  remains {s.value}" for s in RemainsStatus})
    return out
