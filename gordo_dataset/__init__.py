"""Compatibility package: ``gordo_dataset.*`` import paths resolve to ``gordo.dataset``.

The original kept the data layer in a companion package; configs and code
written for it (``from gordo_dataset.sensor_tag import SensorTag``) keep working.
"""
