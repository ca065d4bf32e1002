"""Families as graphs: people, validated pedigrees, relationship builders, loops."""

from homecoming.pedigree.pedigree import Pedigree, Person, Sex

__all__ = ["Pedigree", "Person", "Sex"]
