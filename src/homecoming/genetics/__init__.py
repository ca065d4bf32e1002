"""What a DNA profile is: markers, alleles, frequencies, mutation models, profiles."""

from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.genetics.profiles import Genotype, Profile

__all__ = ["Marker", "MutationSpec", "Genotype", "Profile"]
