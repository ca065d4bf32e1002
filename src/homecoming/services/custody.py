"""Chain of custody as a first-class record: record transfers, show an item's timeline and
report its breaks.

A transfer is a :class:`~homecoming.casework.CustodyEvent` (item, from, to, when, why, where),
stored and audited like every record. :func:`timeline` lists an item's transfers oldest first
and finds the breaks a court would ask about:

- ``unreceived``: a holder hands on what they never received (``from_party`` differs from the
  previous transfer's ``to_party``);
- ``gap``: more than ``max_gap`` between two transfers (no record of who held the item);
- ``after_end``: a transfer after the item was consumed, released or destroyed (a transfer
  whose reason starts with one of those words; ``add_transfer(final=...)`` writes it so).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from homecoming.errors import InputError, NotFoundError

__all__ = ["FINAL_REASONS", "Break", "Timeline", "add_transfer", "timeline"]

#: reasons that end an item's chain: nothing may happen to it afterwards
FINAL_REASONS = ("consumed", "released", "destroyed")
_FINAL = re.compile(r"^\s*(consumed|released|destroyed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Break:
    kind: str          # unreceived | gap | after_end
    event_id: str
    message: str


@dataclass
class Timeline:
    item_id: str
    item_kind: str | None
    events: list[dict[str, Any]] = field(default_factory=list)
    breaks: list[Break] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "item_kind": self.item_kind, "events": self.events,
                "breaks": [asdict(b) for b in self.breaks]}


def _party(text: str) -> str:
    return " ".join(text.split()).casefold()


def add_transfer(session: Any, item_id: str, *, from_party: str, to_party: str,
                 occurred_at: _dt.datetime | str, reason: str, item_kind: str | None = None,
                 location: str | None = None, sha256: str | None = None,
                 event_id: str | None = None, final: str | None = None,
                 actor: str | None = None) -> Any:
    """Record one transfer of ``item_id`` (a sample bar-code or remains code; other items
    need ``item_kind``). ``final`` (consumed, released, destroyed) marks the end of the chain.
    Returns the stored CustodyEvent."""
    from homecoming.casework import CustodyEvent
    from homecoming.services.accounts import authorize
    from homecoming.storage.repositories import Repositories

    who = authorize(session, "custody.write", actor=actor)
    repos = Repositories(session, user=who)
    if item_kind is None:
        if repos.samples.exists(item_id):
            item_kind = "sample"
        elif repos.remains.exists(item_id):
            item_kind = "remains"
        else:
            raise NotFoundError(f"custody: {item_id!r} is neither a stored sample nor stored "
                                "remains; expected a bar-code or remains code (or give the "
                                "item kind for effects and digital items)")
    if final is not None:
        if final not in FINAL_REASONS:
            raise InputError(f"custody: final {final!r} is not valid; expected one of "
                             f"{', '.join(FINAL_REASONS)}", field="final", value=final)
        if not _FINAL.match(reason):
            reason = f"{final}: {reason}"
    if event_id is None:
        n = repos.custody_events.count(item_id=item_id) + 1
        event_id = f"CE-{item_id}-{n:03d}"
        while repos.custody_events.exists(event_id):
            n += 1
            event_id = f"CE-{item_id}-{n:03d}"
    event = CustodyEvent(id=event_id, item_kind=item_kind, item_id=item_id,
                         from_party=from_party, to_party=to_party, occurred_at=occurred_at,
                         reason=reason, location=location, sha256=sha256)
    return repos.custody_events.add(event)


def timeline(session: Any, item_id: str, *, max_gap: _dt.timedelta = _dt.timedelta(days=30),
             actor: str | None = None) -> Timeline:
    """The transfers of ``item_id`` oldest first, with the breaks (see module docs)."""
    from homecoming.services.accounts import authorize
    from homecoming.storage.repositories import Repositories

    authorize(session, "records.view", actor=actor)
    events = Repositories(session).custody_events.chain(item_id)
    if not events:
        raise NotFoundError(f"custody: no transfers recorded for {item_id!r}; expected the "
                            "bar-code or code of an item with a chain of custody")
    out = Timeline(item_id=item_id, item_kind=events[0].item_kind.value)
    ended: Any = None
    previous: Any = None
    for event in events:
        out.events.append(event.to_dict())
        if ended is not None:
            out.breaks.append(Break("after_end", event.id, f"{event.id} on "
                                    f"{event.occurred_at:%Y-%m-%d %H:%M}: transfer after the "
                                    f"item was {_FINAL.match(ended.reason).group(1).lower()} "
                                    f"({ended.id})"))
        if previous is not None:
            if _party(event.from_party) != _party(previous.to_party):
                out.breaks.append(Break("unreceived", event.id, f"{event.id}: "
                                        f"{event.from_party!r} hands on what they never "
                                        f"received (the previous transfer {previous.id} went "
                                        f"to {previous.to_party!r})"))
            gap = event.occurred_at - previous.occurred_at
            if gap > max_gap:
                out.breaks.append(Break("gap", event.id, f"{event.id}: {gap.days} days since "
                                        f"{previous.id} with no recorded transfer (more than "
                                        f"{max_gap.days})"))
        if ended is None and _FINAL.match(event.reason):
            ended = event
        previous = event
    return out
