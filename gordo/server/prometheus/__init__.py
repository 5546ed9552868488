"""Prometheus metrics of the ML server, correct across several gunicorn workers.

With ``PROMETHEUS_MULTIPROC_DIR`` (or the older ``prometheus_multiproc_dir``) set
before the workers start, each worker writes its samples to that directory and
``/metrics`` (here or in the sidecar app of ``prometheus.server``) sums them.
"""
