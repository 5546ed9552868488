"""Reporters: send a built machine's metadata somewhere (PostgreSQL, MLflow).

A machine lists its reporters under ``runtime.reporters``; ``Machine.report()``
builds each with :meth:`gordo.reporters.base.BaseReporter.from_dict` and calls
its ``report(machine)``.
"""
