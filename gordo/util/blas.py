"""Keeping numpy's BLAS on one thread where gordo already runs work in parallel.

OpenBLAS starts a thread per core for every matrix product above a small size.
The server answers requests on several threads and a fleet build runs one
process per core, so those BLAS threads only fight each other for the same
cores: measured here, a (10 000 x 10) @ (10 x 8) product took 0.04-8 ms with
OpenBLAS threads under load and a steady 0.05 ms on one thread.

>>> single_threaded_blas()
>>> from threadpoolctl import threadpool_info
>>> {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} <= {1}
True
"""

from __future__ import annotations


def single_threaded_blas() -> None:
    """Limit the BLAS libraries loaded in this process to one thread each (process-wide)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
