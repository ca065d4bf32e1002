"""A named catalogue of kinship cases on which the engine must equal the reference oracle.

Synthetic data: small allele sets with made-up frequencies, genotypes chosen by hand to hit
each feature (every relationship builder, marriage loops, X markers, each mutation model, θ > 0
including "unrelated", partial genotypes, founder inbreeding, silent alleles, dropout, and
exclusions). Each case lists several markers so batched code paths are exercised.

Use :data:`CASES` (a tuple of :class:`Case`) or :func:`case` (by name).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.pedigree import (
    Pedigree,
    Person,
    Sex,
    avuncular,
    cousin_marriage,
    double_first_cousins,
    first_cousins,
    full_siblings,
    grandparent,
    half_siblings,
    nuclear,
    parent_child,
    second_cousins,
    sibling_mating,
    trio,
    unrelated,
)

__all__ = ["CASES", "Case", "case", "MARKERS"]


@dataclass(frozen=True)
class Case:
    name: str
    pedigree: Pedigree
    markers: tuple[Marker, ...]
    genotypes: Mapping[str, Mapping[str, tuple]]
    theta: float = 0.0
    founder_inbreeding: Mapping[str, float] | None = None
    dropout: Mapping[str, float] | None = None
    note: str = field(default="", compare=False)

    def kwargs(self) -> dict:
        return {"theta": self.theta, "founder_inbreeding": self.founder_inbreeding,
                "dropout": self.dropout}


def _m(name, alleles, freqs, *, chromosome="autosomal", female=None, male=None, silent=0.0):
    return Marker(name, tuple(alleles), np.array(freqs, dtype=float), chromosome=chromosome,
                  mutation_female=female, mutation_male=male, silent_frequency=silent)


EQ = MutationSpec("equal", rate=0.01)
EQ_M = MutationSpec("equal", rate=0.03)
PROP = MutationSpec("proportional", rate=0.005)
PROP_M = MutationSpec("proportional", rate=0.02)
STEP = MutationSpec("stepwise", rate=0.004, rate2=0.001, range=0.4)
STEP_M = MutationSpec("stepwise", rate=0.01, rate2=0.002, range=0.5)
ONE = MutationSpec("onestep", rate=0.02)
CUSTOM = MutationSpec("custom", matrix=((0.90, 0.05, 0.03, 0.02), (0.10, 0.80, 0.05, 0.05),
                                        (0.00, 0.20, 0.70, 0.10), (0.25, 0.25, 0.25, 0.25)))

#: Markers by short name.
MARKERS: dict[str, Marker] = {
    "A": _m("A", ["10", "11", "12", "13"], [.1, .2, .3, .4]),
    "B": _m("B", ["7", "8", "9"], [.5, .3, .2]),
    "C": _m("C", ["14", "15", "16", "17", "18"], [.05, .25, .35, .15, .2]),
    "A_eq": _m("A_eq", ["10", "11", "12", "13"], [.1, .2, .3, .4], female=EQ, male=EQ_M),
    "A_prop": _m("A_prop", ["10", "11", "12", "13"], [.1, .2, .3, .4], female=PROP, male=PROP_M),
    "A_step": _m("A_step", ["9", "9.3", "10", "10.3", "11"], [.2, .1, .3, .15, .25],
                 female=STEP, male=STEP_M),
    "A_one": _m("A_one", ["10", "11", "12", "13"], [.1, .2, .3, .4], female=ONE, male=ONE),
    "A_custom": _m("A_custom", ["10", "11", "12", "13"], [.1, .2, .3, .4], female=CUSTOM,
                   male=MutationSpec("equal", rate=0.02)),
    "A_silent": _m("A_silent", ["10", "11", "12"], [.3, .35, .3], silent=.05),
    "A_silent_mut": _m("A_silent_mut", ["10", "11", "12"], [.3, .35, .3], silent=.05,
                       female=PROP, male=EQ),
    "X1": _m("X1", ["20", "21", "22", "23"], [.4, .3, .2, .1], chromosome="X"),
    "X2": _m("X2", ["5", "6", "7"], [.6, .3, .1], chromosome="X", female=EQ, male=EQ_M),
}


def mk(*names: str) -> tuple[Marker, ...]:
    return tuple(MARKERS[n] for n in names)


def _cases() -> list[Case]:
    c: list[Case] = []
    add = c.append
    auto = mk("A", "B", "C")
    # --- every builder, autosomal ---------------------------------------------------------
    add(Case("duo_match", parent_child(parent="AF", child="CH"), auto,
             {"AF": {"A": ("10", "12"), "B": ("7", "7"), "C": ("15", "16")},
              "CH": {"A": ("12", "13"), "B": ("7", "8"), "C": ("16", "16")}}))
    add(Case("duo_exclusion", parent_child(parent="AF", child="CH"), auto,
             {"AF": {"A": ("10", "11"), "B": ("7", "7")}, "CH": {"A": ("12", "13"),
                                                                 "B": ("7", "8")}}))
    add(Case("unrelated_pair", unrelated(["AF", "CH"]), auto,
             {"AF": {"A": ("10", "12"), "B": ("7", "7")}, "CH": {"A": ("12", "13"),
                                                                 "B": ("7", "8")}}))
    add(Case("trio", trio(father="AF", mother="MO", child="CH"), auto,
             {"AF": {"A": ("10", "12"), "B": ("8", "9")}, "MO": {"A": ("11", "13"),
                                                                 "B": ("7", "9")},
              "CH": {"A": ("12", "13"), "B": ("9", "9"), "C": ("14", "18")}}))
    add(Case("nuclear_three_children", nuclear(["k1", "k2", "k3"], sexes=["male", "female",
                                                                          "male"]), auto,
             {"k1": {"A": ("10", "11"), "B": ("7", "8")}, "k2": {"A": ("12", "11"),
                                                                 "B": ("8", "8")},
              "k3": {"A": ("10", "13"), "C": ("15", "17")}}))
    add(Case("full_siblings", full_siblings("S1", "S2"), auto,
             {"S1": {"A": ("10", "11"), "B": ("7", "9"), "C": ("15", "15")},
              "S2": {"A": ("10", "11"), "B": ("8", "9"), "C": ("15", "16")}}))
    add(Case("half_siblings_paternal", half_siblings("H1", "H2", side="paternal"), auto,
             {"H1": {"A": ("10", "10"), "B": ("7", "9")}, "H2": {"A": ("10", "12"),
                                                                 "B": ("8", "9")}}))
    add(Case("half_siblings_maternal", half_siblings("H1", "H2", side="maternal"), auto,
             {"H1": {"A": ("10", "13"), "C": ("17", "18")}, "H2": {"A": ("13", "12"),
                                                                   "C": ("14", "17")},
              "mother": {"B": ("7", "8")}}))
    add(Case("grandparent_maternal", grandparent(grandparent="GM", grandchild="GC",
                                                 grandparent_sex="female", line="maternal"),
             auto, {"GM": {"A": ("10", "11"), "B": ("7", "7")},
                    "GC": {"A": ("11", "12"), "B": ("7", "9")}}))
    add(Case("avuncular", avuncular(uncle="U", nephew="N"), auto,
             {"U": {"A": ("12", "12"), "B": ("7", "8"), "C": ("14", "15")},
              "N": {"A": ("12", "10"), "B": ("8", "9"), "C": ("16", "17")}}))
    add(Case("first_cousins", first_cousins("C1", "C2"), auto,
             {"C1": {"A": ("10", "12"), "B": ("7", "9")}, "C2": {"A": ("10", "13"),
                                                                 "B": ("9", "9")}}))
    add(Case("second_cousins", second_cousins("C1", "C2"), mk("A", "B"),
             {"C1": {"A": ("10", "10"), "B": ("7", "9")}, "C2": {"A": ("10", "13"),
                                                                 "B": ("9", "8")}}))
    add(Case("double_first_cousins", double_first_cousins("C1", "C2"), auto,
             {"C1": {"A": ("11", "12"), "B": ("7", "9")}, "C2": {"A": ("11", "12"),
                                                                 "B": ("8", "9")}}))
    # --- loops ---------------------------------------------------------------------------
    add(Case("cousin_marriage_child", cousin_marriage(child="X"), auto,
             {"X": {"A": ("10", "10"), "B": ("7", "8"), "C": ("14", "14")},
              "father": {"A": ("10", "13")}}))
    add(Case("cousin_marriage_many_typed", cousin_marriage(child="X"), mk("A", "B"),
             {"X": {"A": ("11", "11"), "B": ("9", "9")}, "father": {"A": ("11", "12")},
              "mother": {"A": ("11", "10"), "B": ("9", "8")}, "grandmother": {"A": ("11", "13")}}))
    add(Case("sibling_mating_child", sibling_mating(child="X"), auto,
             {"X": {"A": ("13", "13"), "B": ("7", "9"), "C": ("18", "18")},
              "grandfather": {"A": ("13", "10")}}))
    # --- X chromosome --------------------------------------------------------------------
    xs = mk("X1", "X2")
    add(Case("x_father_daughter", parent_child(parent="F", child="D", child_sex="female"), xs,
             {"F": {"X1": ("20",), "X2": ("5",)}, "D": {"X1": ("20", "22"), "X2": ("6", "6")}}))
    add(Case("x_mother_son", parent_child(parent="M", child="S", parent_sex="female"), xs,
             {"M": {"X1": ("21", "22"), "X2": ("5", "7")}, "S": {"X1": ("22",), "X2": ("6",)}}))
    add(Case("x_brothers", full_siblings("B1", "B2"), xs,
             {"B1": {"X1": ("20",), "X2": ("7",)}, "B2": {"X1": ("20",), "X2": ("5",)}}))
    add(Case("x_paternal_half_sisters",
             half_siblings("H1", "H2", side="paternal", sex_a="female", sex_b="female"), xs,
             {"H1": {"X1": ("20", "23"), "X2": ("5", "6")}, "H2": {"X1": ("23", "21"),
                                                                  "X2": ("6", "7")}}))
    add(Case("x_father_son_irrelevant", parent_child(parent="F", child="S"), xs,
             {"F": {"X1": ("20",)}, "S": {"X1": ("21",), "X2": ("5",)}}))
    add(Case("x_cousin_marriage", cousin_marriage(child="X", child_sex="female"), xs,
             {"X": {"X1": ("20", "20"), "X2": ("6", "5")}, "grandmother": {"X1": ("20", "22")},
              "uncle": {"X1": ("20",)}}))
    add(Case("x_sibling_mating_with_theta", sibling_mating(child="X", child_sex="female"), xs,
             {"X": {"X1": ("21", "21"), "X2": ("6", "6")}, "grandfather": {"X1": ("21",)}},
             theta=0.03))
    add(Case("x_unrelated_theta", unrelated(["F", "D"], ["male", "female"]), xs,
             {"F": {"X1": ("20",), "X2": ("5",)}, "D": {"X1": ("20", "22"), "X2": ("5", "5")}},
             theta=0.05))
    # --- mutation models -----------------------------------------------------------------
    for name in ("A_eq", "A_prop", "A_one", "A_custom"):
        ms = mk(name)
        add(Case(f"duo_exclusion_{name}", parent_child(parent="AF", child="CH"), ms,
                 {"AF": {name: ("10", "11")}, "CH": {name: ("12", "13")}}))
        add(Case(f"trio_mutation_{name}", trio(father="AF", mother="MO", child="CH"), ms,
                 {"AF": {name: ("10", "10")}, "MO": {name: ("12", "13")},
                  "CH": {name: ("11", "12")}}))
        add(Case(f"grandparent_mutation_{name}", grandparent(grandparent="G", grandchild="C"),
                 ms, {"G": {name: ("13", "13")}, "C": {name: ("12", "10")}}))
    add(Case("duo_stepwise_microvariant", parent_child(parent="AF", child="CH"), mk("A_step"),
             {"AF": {"A_step": ("9.3", "11")}, "CH": {"A_step": ("10.3", "9")}}))
    add(Case("siblings_stepwise", full_siblings("S1", "S2"), mk("A_step", "A_eq"),
             {"S1": {"A_step": ("9", "10"), "A_eq": ("10", "11")},
              "S2": {"A_step": ("9.3", "11"), "A_eq": ("12", "13")}}))
    add(Case("cousin_marriage_mutation", cousin_marriage(child="X"), mk("A_prop", "A_one"),
             {"X": {"A_prop": ("10", "10"), "A_one": ("11", "13")},
              "grandfather": {"A_prop": ("11", "12"), "A_one": ("12", "12")}}))
    add(Case("x_mutation_father_daughter", parent_child(parent="F", child="D", child_sex="female"),
             mk("X2"), {"F": {"X2": ("5",)}, "D": {"X2": ("6", "7")}}))
    # --- θ -------------------------------------------------------------------------------
    add(Case("duo_theta", parent_child(parent="AF", child="CH"), auto,
             {"AF": {"A": ("10", "10"), "B": ("7", "8")}, "CH": {"A": ("10", "10"),
                                                                 "B": ("8", "9")}}, theta=0.02))
    add(Case("unrelated_theta", unrelated(["AF", "CH"]), auto,
             {"AF": {"A": ("10", "10"), "B": ("7", "8")}, "CH": {"A": ("10", "10"),
                                                                 "B": ("8", "9")}}, theta=0.02))
    add(Case("unrelated_three_theta", unrelated(["P1", "P2", "P3"]), mk("A", "B"),
             {"P1": {"A": ("10", "11"), "B": ("7", "7")}, "P2": {"A": ("10", "11")},
              "P3": {"A": ("11", "11"), "B": ("7", "8")}}, theta=0.1))
    add(Case("trio_theta", trio(father="AF", mother="MO", child="CH"), mk("A", "B"),
             {"AF": {"A": ("10", "11"), "B": ("9", "9")}, "MO": {"A": ("11", "12")},
              "CH": {"A": ("10", "11"), "B": ("9", "7")}}, theta=0.05))
    add(Case("full_siblings_theta_mutation", full_siblings("S1", "S2"), mk("A_prop", "B"),
             {"S1": {"A_prop": ("10", "11"), "B": ("7", "9")},
              "S2": {"A_prop": ("10", "13"), "B": ("7", "9")}}, theta=0.01))
    add(Case("half_siblings_theta", half_siblings("H1", "H2"), mk("A"),
             {"H1": {"A": ("12", "12")}, "H2": {"A": ("12", "13")}}, theta=0.03))
    # --- partial genotypes ---------------------------------------------------------------
    add(Case("duo_partial", parent_child(parent="AF", child="CH"), auto,
             {"AF": {"A": ("10", None), "B": (None, "8")}, "CH": {"A": ("10", "12"),
                                                                  "B": ("8", None),
                                                                  "C": (None, None)}}))
    add(Case("siblings_partial_mutation", full_siblings("S1", "S2"), mk("A_eq", "B"),
             {"S1": {"A_eq": ("12", None)}, "S2": {"A_eq": ("12", "13"), "B": ("9", None)}}))
    add(Case("x_partial_female", parent_child(parent="F", child="D", child_sex="female"), xs,
             {"F": {"X1": ("22",)}, "D": {"X1": (None, "22"), "X2": ("5", None)}}))
    # --- founder inbreeding --------------------------------------------------------------
    add(Case("trio_inbred_father", trio(father="AF", mother="MO", child="CH"), auto,
             {"AF": {"A": ("10", "10"), "B": ("7", "8")}, "MO": {"A": ("10", "11")},
              "CH": {"A": ("10", "10"), "B": ("7", "7")}}, founder_inbreeding={"AF": 0.25}))
    add(Case("siblings_inbred_parents_theta", full_siblings("S1", "S2"), mk("A", "B"),
             {"S1": {"A": ("11", "11"), "B": ("8", "8")}, "S2": {"A": ("11", "12")}},
             theta=0.02, founder_inbreeding={"father": 0.1, "mother": 0.0625}))
    add(Case("x_inbred_mother", parent_child(parent="M", child="S", parent_sex="female"),
             mk("X1"), {"M": {"X1": ("21", "21")}, "S": {"X1": ("21",)}},
             founder_inbreeding={"M": 0.5}))
    add(Case("unrelated_inbred", unrelated(["P1", "P2"]), auto,
             {"P1": {"A": ("13", "13"), "B": ("7", "9")}, "P2": {"A": ("13", "13")}},
             founder_inbreeding={"P1": 1.0, "P2": 0.3}))
    # --- silent alleles ------------------------------------------------------------------
    add(Case("duo_silent_apparent_exclusion", parent_child(parent="AF", child="CH"),
             mk("A_silent"), {"AF": {"A_silent": ("10", "10")},
                              "CH": {"A_silent": ("11", "11")}}))
    add(Case("trio_silent_mutation", trio(father="AF", mother="MO", child="CH"),
             mk("A_silent", "A_silent_mut"),
             {"AF": {"A_silent": ("10", "10"), "A_silent_mut": ("12", "12")},
              "MO": {"A_silent": ("11", "12"), "A_silent_mut": ("10", "11")},
              "CH": {"A_silent": ("11", "11"), "A_silent_mut": ("11", "11")}}))
    add(Case("siblings_silent_theta", full_siblings("S1", "S2"), mk("A_silent"),
             {"S1": {"A_silent": ("12", "12")}, "S2": {"A_silent": ("12", None)}}, theta=0.02))
    # --- dropout -------------------------------------------------------------------------
    add(Case("duo_dropout_child", parent_child(parent="AF", child="CH"), auto,
             {"AF": {"A": ("10", "12"), "B": ("7", "8")}, "CH": {"A": ("13", "13"),
                                                                 "B": ("7", None)}},
             dropout={"CH": 0.2}))
    add(Case("siblings_dropout_both", full_siblings("S1", "S2"), mk("A_eq", "A_silent"),
             {"S1": {"A_eq": ("11", "11"), "A_silent": ("10", "11")},
              "S2": {"A_eq": ("11", "12"), "A_silent": ("10", "10")}},
             dropout={"S1": 0.1, "S2": 0.3}))
    add(Case("x_dropout", parent_child(parent="F", child="D", child_sex="female"), xs,
             {"F": {"X1": ("20",)}, "D": {"X1": ("21", "21"), "X2": ("6", None)}},
             dropout={"D": 0.25, "F": 0.05}))
    add(Case("unrelated_dropout_theta", unrelated(["P1", "P2"]), mk("A"),
             {"P1": {"A": ("10", "10")}, "P2": {"A": ("10", "11")}}, theta=0.02,
             dropout={"P1": 0.4}))
    # --- mixed and corner cases ----------------------------------------------------------
    add(Case("untyped_everyone", first_cousins("C1", "C2"), mk("A_eq", "X1"), {}))
    add(Case("typed_only_founders_far_apart", second_cousins("C1", "C2"), mk("A"),
             {"grandfather": {"A": ("10", "11")}, "spouse4": {"A": ("12", "12")}}))
    add(Case("disconnected_family_and_singleton",
             Pedigree(list(trio(father="AF", mother="MO", child="CH"))
                      + [Person("V", sex=Sex.MALE)]), mk("A", "X1"),
             {"CH": {"A": ("10", "11"), "X1": ("20",)}, "V": {"A": ("10", "11"), "X1": ("20",)},
              "MO": {"X1": ("20", "21")}}, theta=0.01))
    return c


#: The catalogue, in a fixed order.
CASES: tuple[Case, ...] = tuple(_cases())


def case(name: str) -> Case:
    for c in CASES:
        if c.name == name:
            return c
    raise KeyError(name)
