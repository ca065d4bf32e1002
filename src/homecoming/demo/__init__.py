"""The SYNTHETIC demonstration scenario (modelled on the published Izium figures, Sept 2022).

Everything this package generates is invented for demonstration and testing: no record names
or describes a real person. See :mod:`homecoming.demo.scenario`.
"""
