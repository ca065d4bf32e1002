"""Accounts, roles and the one permission table.

Who may do what in Homecoming is decided here, in one data structure: :data:`PERMISSIONS`
maps a permission name to the roles that hold it. The command line and the web application
both ask :func:`homecoming.services.accounts.authorize` (which reads this table); nothing
else decides permissions.

Roles (:class:`Role`) follow the people of the work, from the field to the family:

========== ===============================================================================
field      field teams: sites, graves, hazard areas, exhumations, remains, custody
pathologist post-mortem examinations, samples taken from remains
lab        the DNA laboratory: samples, profiles (sample bar-codes, never names), staff
           (elimination) profiles
analyst    DNA analysts: screening, identification runs, the first review (``accept``)
board      the identification board: the second review (``confirm``) or rejection
liaison    officers who speak with families: missing persons, donors and consent,
           notification and release of remains
investigator prosecutors and investigators: incidents, casework records, exports
monitor    UN monitors: aggregated statistics only
admin      administrators: accounts, database set-up, imports; *not* a reviewer
========== ===============================================================================

Four-eyes rules of the review (``review.accept`` by an analyst who did not run the
identification, ``review.confirm`` by a board member who neither ran nor accepted it) are
enforced by :mod:`homecoming.services.review` on top of this table.

While the database holds no account at all, :func:`~homecoming.services.accounts.authorize`
lets every request through (the operator at the server, as before accounts existed).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping

from homecoming.errors import InputError

__all__ = ["Role", "PERMISSIONS", "ALL_ROLES", "roles_for", "allowed", "parse_roles",
           "validate_account_name", "ACCOUNT_NAME_RE"]


class Role(enum.Enum):
    """What a person does in the identification work (an account holds one or more)."""

    FIELD = "field"
    PATHOLOGIST = "pathologist"
    LAB = "lab"
    ANALYST = "analyst"
    BOARD = "board"
    LIAISON = "liaison"
    INVESTIGATOR = "investigator"
    MONITOR = "monitor"
    ADMIN = "admin"


F, P, L, A, B, LI, IN, M, AD = (Role.FIELD, Role.PATHOLOGIST, Role.LAB, Role.ANALYST,
                               Role.BOARD, Role.LIAISON, Role.INVESTIGATOR, Role.MONITOR,
                               Role.ADMIN)
ALL_ROLES: frozenset[Role] = frozenset(Role)
#: every role that works with individual records (everyone but the monitor)
_CASEWORK = frozenset({F, P, L, A, B, LI, IN, AD})

#: THE permission table: permission name -> roles allowed. Names are ``area.action``.
#: ``*.view`` permissions are reads; everything else writes. A command or page that needs a
#: permission calls ``authorize(session, "<name>")``.
PERMISSIONS: Mapping[str, frozenset[Role]] = {
    # accounts and the database itself
    "users.manage": frozenset({AD}),
    "users.view": frozenset({AD}),
    "database.admin": frozenset({AD}),           # init, upgrade, demo load
    "audit.view": frozenset({AD, B, IN}),
    "stats.view": ALL_ROLES,                     # aggregated counts only
    # casework records (reads)
    "records.view": _CASEWORK,
    # names of people (missing persons, donors and their consent): a lab, field, pathologist
    # or monitor account works with codes and bar-codes only (issue 12 item 3)
    "persons.view": frozenset({A, B, LI, IN, AD}),
    "profiles.view_genotypes": frozenset({L, A}),  # audited on every read
    # casework records (writes)
    "sites.write": frozenset({F, AD}),
    "graves.write": frozenset({F, AD}),
    "exhumations.write": frozenset({F, AD}),
    "remains.write": frozenset({F, P, AD}),
    "custody.write": frozenset({F, P, L, LI, AD}),
    "examinations.write": frozenset({P, AD}),
    "samples.write": frozenset({F, P, L, LI, AD}),
    "profiles.write": frozenset({L, AD}),
    "staff_profiles.write": frozenset({L, AD}),
    "incidents.write": frozenset({IN, AD}),
    "missing_persons.write": frozenset({LI, IN, AD}),
    "donors.write": frozenset({LI, AD}),
    "records.import": frozenset({F, P, L, LI, IN, AD}),  # plus the kind's own *.write
    "records.export": frozenset({A, IN, AD}),
    # DNA work
    "screen.run": frozenset({A, L}),
    "identify.run": frozenset({A}),
    "identifications.view": frozenset({A, B, LI, IN, AD}),
    # review and sign-off (four-eyes rules in services.review)
    "review.accept": frozenset({A}),
    "review.confirm": frozenset({B}),
    "review.reject": frozenset({A, B}),
    # reports, families, release
    "report.identification": frozenset({A, B, LI}),
    "report.family": frozenset({A, B, LI}),
    "notify.record": frozenset({LI}),
    "release.record": frozenset({LI}),
    "death_registration.export": frozenset({LI, AD}),
}


def roles_for(permission: str) -> frozenset[Role]:
    """The roles that hold ``permission``; InputError for a name not in the table."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise InputError(f"permission {permission!r} is not in the permission table; "
                         f"expected one of {', '.join(sorted(PERMISSIONS))}",
                         field="permission", value=permission) from None


def allowed(roles: Iterable[Role | str], permission: str) -> bool:
    """Whether an account holding ``roles`` has ``permission``."""
    wanted = roles_for(permission)
    return any(Role(r) in wanted for r in roles)


def parse_roles(values: Iterable[str]) -> tuple[Role, ...]:
    """Roles from their names (case-insensitive), de-duplicated, in table order."""
    out: list[Role] = []
    for value in values:
        try:
            role = Role(str(value).strip().lower())
        except ValueError:
            raise InputError(f"role {value!r} is unknown; expected one of "
                             f"{', '.join(r.value for r in Role)}", field="role",
                             value=value) from None
        if role not in out:
            out.append(role)
    if not out:
        raise InputError("no role given; expected at least one of "
                         f"{', '.join(r.value for r in Role)}", field="role")
    return tuple(sorted(out, key=list(Role).index))


ACCOUNT_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$")


def validate_account_name(name: str) -> str:
    """An account name: letters, digits, ``. _ @ -``, starting with a letter or digit."""
    name = str(name).strip()
    if not ACCOUNT_NAME_RE.match(name):
        raise InputError(f"account name {name[:60]!r} is not valid; expected letters, digits, "
                         "'.', '_', '@' or '-' (at most 200 characters)", field="name",
                         value=name[:60])
    return name
