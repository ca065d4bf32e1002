"""Families as graphs: people, validated pedigrees, relationship builders, loops."""

from homecoming.pedigree.builders import (
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
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

__all__ = ["Pedigree", "Person", "Sex", "avuncular", "cousin_marriage", "double_first_cousins",
           "first_cousins", "full_siblings", "grandparent", "half_siblings", "nuclear",
           "parent_child", "second_cousins", "sibling_mating", "trio", "unrelated"]
