"""Relationship builders: the standard pedigrees of kinship casework.

Every builder returns a validated :class:`~homecoming.pedigree.pedigree.Pedigree`. The persons
one usually types (the two relatives compared, or the inbred child) have ids you choose through
the keyword arguments; the connecting, usually untyped, persons get the fixed ids listed in each
docstring. Sexes are ``"male"``/``"female"`` strings or :class:`Sex` values. The pedigree
drawings use ``=`` for a mating and ``|`` for descent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from homecoming.pedigree.pedigree import Pedigree, Person, Sex

__all__ = ["avuncular", "double_first_cousins", "cousin_marriage", "first_cousins",
           "full_siblings", "grandparent", "half_siblings", "nuclear", "parent_child",
           "second_cousins", "sibling_mating", "trio", "unrelated"]

SexLike = Sex | str


def _sex(value: SexLike, field: str) -> Sex:
    return Sex.parse(value, field=field)


def _p(pid: str, father: str | None = None, mother: str | None = None,
       sex: SexLike = Sex.UNKNOWN) -> Person:
    return Person(pid, father, mother, _sex(sex, f"sex of {pid}"))


def _opposite(sex: Sex) -> Sex:
    return Sex.FEMALE if sex is Sex.MALE else Sex.MALE


def _with_parent(child: str, child_sex: SexLike, parent: str, parent_sex: Sex,
                 other: str) -> list[Person]:
    """``parent`` and an untyped ``other`` parent of the opposite sex, and their ``child``."""
    if parent_sex is Sex.MALE:
        return [_p(parent, sex=Sex.MALE), _p(other, sex=Sex.FEMALE),
                _p(child, parent, other, child_sex)]
    return [_p(parent, sex=Sex.FEMALE), _p(other, sex=Sex.MALE),
            _p(child, other, parent, child_sex)]


def unrelated(ids: Iterable[str], sexes: Sequence[SexLike] | None = None) -> Pedigree:
    """Singletons: persons ``ids`` with no relations (sexes default to unknown; give them for X)."""
    ids = list(ids)
    sexes = list(sexes) if sexes is not None else [Sex.UNKNOWN] * len(ids)
    if len(sexes) != len(ids):
        raise ValueError(f"unrelated: {len(sexes)} sexes for {len(ids)} ids; expected one each")
    return Pedigree(_p(i, sex=s) for i, s in zip(ids, sexes))


def nuclear(children: Sequence[str] = ("child",), *, father: str = "father",
            mother: str = "mother", sexes: Sequence[SexLike] | None = None) -> Pedigree:
    """``father`` = ``mother`` with ``children`` (sexes of the children, default male)."""
    sexes = list(sexes) if sexes is not None else [Sex.MALE] * len(children)
    return Pedigree([_p(father, sex=Sex.MALE), _p(mother, sex=Sex.FEMALE)]
                    + [_p(c, father, mother, s) for c, s in zip(children, sexes)])


def trio(*, father: str = "father", mother: str = "mother", child: str = "child",
         child_sex: SexLike = Sex.MALE) -> Pedigree:
    """``father`` = ``mother`` | ``child``: the paternity trio."""
    return nuclear([child], father=father, mother=mother, sexes=[child_sex])


def parent_child(*, parent: str = "parent", child: str = "child",
                 parent_sex: SexLike = Sex.MALE, child_sex: SexLike = Sex.MALE,
                 other_parent: str = "other_parent") -> Pedigree:
    """``parent`` | ``child``; the child's other parent is the untyped founder ``other_parent``."""
    return Pedigree(_with_parent(child, child_sex, parent, _sex(parent_sex, "parent_sex"),
                                 other_parent))


def full_siblings(a: str = "sib1", b: str = "sib2", *, sex_a: SexLike = Sex.MALE,
                  sex_b: SexLike = Sex.MALE) -> Pedigree:
    """Full siblings ``a`` and ``b``; parents ``father`` and ``mother``."""
    return nuclear([a, b], sexes=[sex_a, sex_b])


def half_siblings(a: str = "half1", b: str = "half2", *, side: str = "paternal",
                  sex_a: SexLike = Sex.MALE, sex_b: SexLike = Sex.MALE) -> Pedigree:
    """Half siblings sharing one parent.

    ``side="paternal"``: common ``father``; mothers ``mother1`` (of ``a``) and ``mother2``.
    ``side="maternal"``: common ``mother``; fathers ``father1`` (of ``a``) and ``father2``.
    """
    if side == "paternal":
        return Pedigree([_p("father", sex=Sex.MALE), _p("mother1", sex=Sex.FEMALE),
                         _p("mother2", sex=Sex.FEMALE), _p(a, "father", "mother1", sex_a),
                         _p(b, "father", "mother2", sex_b)])
    if side == "maternal":
        return Pedigree([_p("mother", sex=Sex.FEMALE), _p("father1", sex=Sex.MALE),
                         _p("father2", sex=Sex.MALE), _p(a, "father1", "mother", sex_a),
                         _p(b, "father2", "mother", sex_b)])
    raise ValueError(f"half_siblings: side {side!r}; expected 'paternal' or 'maternal'")


def grandparent(*, grandparent: str = "grandparent", grandchild: str = "grandchild",
                grandparent_sex: SexLike = Sex.MALE, line: str = "paternal",
                grandchild_sex: SexLike = Sex.MALE) -> Pedigree:
    """``grandparent`` | ``parent`` | ``grandchild``.

    The intermediate ``parent`` is the grandchild's father (``line="paternal"``) or mother
    (``"maternal"``); untyped founders: ``grandparent_spouse`` and ``parent_spouse``.
    """
    if line not in ("paternal", "maternal"):
        raise ValueError(f"grandparent: line {line!r}; expected 'paternal' or 'maternal'")
    gp_sex = _sex(grandparent_sex, "grandparent_sex")
    mid_sex = Sex.MALE if line == "paternal" else Sex.FEMALE
    persons = _with_parent("parent", mid_sex, grandparent, gp_sex, "grandparent_spouse")
    persons += _with_parent(grandchild, grandchild_sex, "parent", mid_sex, "parent_spouse")[1:]
    return Pedigree(persons)


def avuncular(*, uncle: str = "uncle", nephew: str = "nephew", uncle_sex: SexLike = Sex.MALE,
              nephew_sex: SexLike = Sex.MALE, line: str = "paternal") -> Pedigree:
    """``uncle`` (or aunt) and ``nephew`` (or niece): the nephew's parent ``parent`` is a full
    sibling of the uncle. Founders ``grandfather``, ``grandmother``; ``parent``'s spouse is
    ``parent_spouse``. ``line="paternal"`` makes ``parent`` the nephew's father."""
    if line not in ("paternal", "maternal"):
        raise ValueError(f"avuncular: line {line!r}; expected 'paternal' or 'maternal'")
    mid_sex = Sex.MALE if line == "paternal" else Sex.FEMALE
    persons = [_p("grandfather", sex=Sex.MALE), _p("grandmother", sex=Sex.FEMALE),
               _p(uncle, "grandfather", "grandmother", uncle_sex),
               _p("parent", "grandfather", "grandmother", mid_sex)]
    persons += _with_parent(nephew, nephew_sex, "parent", mid_sex, "parent_spouse")[1:]
    return Pedigree(persons)


def first_cousins(a: str = "cousin1", b: str = "cousin2", *, sex_a: SexLike = Sex.MALE,
                  sex_b: SexLike = Sex.MALE) -> Pedigree:
    """First cousins ``a`` and ``b`` through two brothers ``parent1`` (father of ``a``) and
    ``parent2`` (father of ``b``), sons of ``grandfather`` and ``grandmother``; their wives are
    ``spouse1`` and ``spouse2``."""
    return Pedigree([
        _p("grandfather", sex=Sex.MALE), _p("grandmother", sex=Sex.FEMALE),
        _p("parent1", "grandfather", "grandmother", Sex.MALE),
        _p("parent2", "grandfather", "grandmother", Sex.MALE),
        _p("spouse1", sex=Sex.FEMALE), _p("spouse2", sex=Sex.FEMALE),
        _p(a, "parent1", "spouse1", sex_a), _p(b, "parent2", "spouse2", sex_b)])


def second_cousins(a: str = "cousin1", b: str = "cousin2", *, sex_a: SexLike = Sex.MALE,
                   sex_b: SexLike = Sex.MALE) -> Pedigree:
    """Second cousins: ``a`` and ``b`` are children of the first cousins ``cousin_parent1`` and
    ``cousin_parent2`` (all connecting persons male, through ``grandfather``/``grandmother`` →
    ``parent1``/``parent2`` → ``cousin_parent1``/``cousin_parent2``; wives ``spouse1``,
    ``spouse2``, ``spouse3``, ``spouse4``)."""
    return Pedigree([
        _p("grandfather", sex=Sex.MALE), _p("grandmother", sex=Sex.FEMALE),
        _p("parent1", "grandfather", "grandmother", Sex.MALE),
        _p("parent2", "grandfather", "grandmother", Sex.MALE),
        _p("spouse1", sex=Sex.FEMALE), _p("spouse2", sex=Sex.FEMALE),
        _p("cousin_parent1", "parent1", "spouse1", Sex.MALE),
        _p("cousin_parent2", "parent2", "spouse2", Sex.MALE),
        _p("spouse3", sex=Sex.FEMALE), _p("spouse4", sex=Sex.FEMALE),
        _p(a, "cousin_parent1", "spouse3", sex_a), _p(b, "cousin_parent2", "spouse4", sex_b)])


def double_first_cousins(a: str = "cousin1", b: str = "cousin2", *, sex_a: SexLike = Sex.MALE,
                         sex_b: SexLike = Sex.MALE) -> Pedigree:
    """Double first cousins: two brothers (``father1``, ``father2``, sons of ``pgf``/``pgm``)
    married two sisters (``mother1``, ``mother2``, daughters of ``mgf``/``mgm``); ``a`` is the
    child of ``father1`` and ``mother1``, ``b`` of ``father2`` and ``mother2``."""
    return Pedigree([
        _p("pgf", sex=Sex.MALE), _p("pgm", sex=Sex.FEMALE),
        _p("mgf", sex=Sex.MALE), _p("mgm", sex=Sex.FEMALE),
        _p("father1", "pgf", "pgm", Sex.MALE), _p("father2", "pgf", "pgm", Sex.MALE),
        _p("mother1", "mgf", "mgm", Sex.FEMALE), _p("mother2", "mgf", "mgm", Sex.FEMALE),
        _p(a, "father1", "mother1", sex_a), _p(b, "father2", "mother2", sex_b)])


def cousin_marriage(*, child: str = "child", child_sex: SexLike = Sex.MALE) -> Pedigree:
    """A child of first cousins (a marriage loop; inbreeding coefficient 1/16).

    ``grandfather`` = ``grandmother`` have ``uncle`` (male, wife ``aunt_in_law``) and ``aunt``
    (female, husband ``uncle_in_law``); ``father`` is the uncle's son, ``mother`` the aunt's
    daughter (first cousins); ``child`` is theirs.
    """
    return Pedigree([
        _p("grandfather", sex=Sex.MALE), _p("grandmother", sex=Sex.FEMALE),
        _p("uncle", "grandfather", "grandmother", Sex.MALE),
        _p("aunt", "grandfather", "grandmother", Sex.FEMALE),
        _p("aunt_in_law", sex=Sex.FEMALE), _p("uncle_in_law", sex=Sex.MALE),
        _p("father", "uncle", "aunt_in_law", Sex.MALE),
        _p("mother", "uncle_in_law", "aunt", Sex.FEMALE),
        _p(child, "father", "mother", child_sex)])


def sibling_mating(*, child: str = "child", child_sex: SexLike = Sex.MALE) -> Pedigree:
    """A child of full siblings (inbreeding coefficient 1/4): ``grandfather`` = ``grandmother``
    have ``father`` (male) and ``mother`` (female), the parents of ``child``."""
    return Pedigree([
        _p("grandfather", sex=Sex.MALE), _p("grandmother", sex=Sex.FEMALE),
        _p("father", "grandfather", "grandmother", Sex.MALE),
        _p("mother", "grandfather", "grandmother", Sex.FEMALE),
        _p(child, "father", "mother", child_sex)])
