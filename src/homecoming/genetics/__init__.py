"""What a DNA profile is: markers, alleles, frequencies, mutation models, profiles."""

from homecoming.genetics.frequencies import (
    DatabaseInfo,
    FrequencyDatabase,
    combine,
    list_databases,
    load_database,
)
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.genetics.profiles import Genotype, Profile

__all__ = ["Marker", "MutationSpec", "Genotype", "Profile", "DatabaseInfo", "FrequencyDatabase",
           "combine", "list_databases", "load_database"]
