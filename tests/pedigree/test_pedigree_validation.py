import pytest

from homecoming.errors import PedigreeError
from homecoming.pedigree import Pedigree, Person, Sex


def trio():
    return [Person("AF", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
            Person("CH", "AF", "MO", Sex.MALE)]


def test_parents_come_first():
    ped = Pedigree(trio())
    assert ped.ids.index("CH") > ped.ids.index("AF")
    assert set(ped.founders) == {"AF", "MO"}
    assert ped.children("AF") == ("CH",)


@pytest.mark.parametrize("persons, message", [
    ([Person("A", sex=Sex.MALE), Person("A", sex=Sex.FEMALE)], "duplicated person id 'A'"),
    ([Person("C", "X", "M", Sex.MALE), Person("M", sex=Sex.FEMALE)],
     "father 'X' of person 'C' is not in"),
    ([Person("F", sex=Sex.FEMALE), Person("M", sex=Sex.FEMALE), Person("C", "F", "M")],
     "father 'F' of person 'C' has sex 'female'"),
    ([Person("A", "B", "M", Sex.MALE), Person("B", "A", "M", Sex.MALE),
      Person("M", sex=Sex.FEMALE)],
     "own ancestor"),
    ([Person("C", "F", None)], "one parent given"),
])
def test_invalid_pedigrees_are_refused(persons, message):
    with pytest.raises(PedigreeError, match=message):
        Pedigree(persons)


def test_connected_is_the_component_through_parents_and_children():
    ped = Pedigree([Person("F", sex=Sex.MALE), Person("M", sex=Sex.FEMALE),
                    Person("C", "F", "M", Sex.MALE), Person("W", sex=Sex.FEMALE),
                    Person("G", "C", "W", Sex.FEMALE), Person("U", sex=Sex.MALE)])
    assert ped.connected("G") == {"F", "M", "C", "W", "G"}
    assert ped.connected("U") == {"U"}
