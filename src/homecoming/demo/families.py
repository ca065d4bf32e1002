"""Families of the synthetic missing persons: who the typed relatives are and the pedigree.

Each missing person gets a small pedigree around them and one to four typed *reference donors*
drawn from the relatives that forensic DNA programmes usually collect first: parents,
full siblings and children (with the other parent of the children when that parent gives a
sample too). Person ids inside a pedigree are short role codes::

    FA, MO          the missing person's father and mother
    MP              the missing person
    SB1, SB2        full siblings (children of FA and MO)
    SP              the missing person's partner, other parent of their children
    CH1, CH2        the missing person's children

Founders that are needed only to connect the family (e.g. FA when only a sibling is typed)
stay in the pedigree untyped. Everything here is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from homecoming.errors import InputError
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

__all__ = ["MISSING_ID", "RELATIONSHIPS", "FamilyPlan", "plan_family"]

#: the missing person's id inside their family pedigree
MISSING_ID = "MP"

#: pedigree role -> relationship to the missing person (as recorded on the donor)
RELATIONSHIPS: dict[str, str] = {
    "FA": "father", "MO": "mother", "SB1": "full sibling", "SB2": "full sibling",
    "SP": "partner (other parent of the missing person's child)", "CH1": "child", "CH2": "child",
}

# relative weights when choosing which relatives gave a reference sample (synthetic choice:
# parents and siblings of young adults, children and partners of older ones)
_ADULT_CHOICES = {"FA": 1.0, "MO": 1.4, "SB1": 1.6, "SB2": 0.8, "CH1": 1.6, "CH2": 0.8, "SP": 0.6}
_CHILD_CHOICES = {"FA": 1.2, "MO": 1.6, "SB1": 1.0, "SB2": 0.5}


@dataclass(frozen=True)
class FamilyPlan:
    """A missing person's family: the pedigree and which members are typed donors.

    :param pedigree: the family pedigree; the missing person is :data:`MISSING_ID`.
    :param donors: pedigree ids of the typed relatives (reference donors), in a fixed order.
    """

    pedigree: Pedigree
    donors: tuple[str, ...]

    @property
    def missing(self) -> str:
        return MISSING_ID

    def relationship(self, person_id: str) -> str:
        """The relationship of a pedigree member to the missing person."""
        return RELATIONSHIPS[person_id.rstrip("'")]

    def sex(self, person_id: str) -> Sex:
        return self.pedigree[person_id].sex


def _other(sex: Sex) -> Sex:
    return Sex.FEMALE if sex is Sex.MALE else Sex.MALE


def plan_family(rng: np.random.Generator, *, missing_sex: Sex, child: bool,
                n_donors: int) -> FamilyPlan:
    """Choose ``n_donors`` typed relatives and build the pedigree that connects them.

    :param rng: random generator (seeded by the caller).
    :param missing_sex: the missing person's true sex (MALE or FEMALE).
    :param child: True for a missing child (only parents and siblings can be donors).
    :param n_donors: number of typed relatives, 1 to 4.
    """
    if not 1 <= n_donors <= 4:
        raise InputError(f"n_donors {n_donors!r}; expected 1 to 4 typed relatives",
                         field="n_donors", value=n_donors)
    if missing_sex not in (Sex.MALE, Sex.FEMALE):
        raise InputError(f"missing_sex {missing_sex!r}; expected the true sex, male or female",
                         field="missing_sex", value=missing_sex)
    choices = _CHILD_CHOICES if child else _ADULT_CHOICES
    roles = list(choices)
    weights = np.array([choices[r] for r in roles])
    picked = list(rng.choice(len(roles), size=n_donors, replace=False, p=weights / weights.sum()))
    donors = {roles[i] for i in picked}
    # a second sibling/child only makes sense with the first: rename to keep ids dense
    if "SB2" in donors and "SB1" not in donors:
        donors = (donors - {"SB2"}) | {"SB1"}
    if "CH2" in donors and "CH1" not in donors:
        donors = (donors - {"CH2"}) | {"CH1"}
    # a typed partner is only useful with a typed child: give them one
    if "SP" in donors and "CH1" not in donors:
        donors = (donors - {"SP"}) | {"CH1"}
        if len(donors) < n_donors:
            donors.add("SP")

    needs_parents = bool(donors & {"FA", "MO", "SB1", "SB2"})
    needs_children = bool(donors & {"CH1", "CH2", "SP"})
    persons: list[Person] = []
    if needs_parents:
        persons += [Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE)]
        persons.append(Person(MISSING_ID, "FA", "MO", missing_sex))
    else:
        persons.append(Person(MISSING_ID, sex=missing_sex))
    for sib in ("SB1", "SB2"):
        if sib in donors:
            persons.append(Person(sib, "FA", "MO", Sex.MALE if rng.random() < 0.5 else Sex.FEMALE))
    if needs_children:
        persons.append(Person("SP", sex=_other(missing_sex)))
        father, mother = (MISSING_ID, "SP") if missing_sex is Sex.MALE else ("SP", MISSING_ID)
        for ch in ("CH1", "CH2"):
            if ch in donors:
                persons.append(Person(ch, father, mother,
                                      Sex.MALE if rng.random() < 0.5 else Sex.FEMALE))
    order = ["FA", "MO", "SB1", "SB2", "SP", "CH1", "CH2"]
    return FamilyPlan(Pedigree(persons), tuple(r for r in order if r in donors))
