from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

# Plugins for child pytest runs, not test modules of ours: importing
# without_extras.py here would hide dask and IPython from every later test.
collect_ignore = ["numpy_with_safestride.py", "without_extras.py"]
collect_ignore_glob = ["lint/fixtures/*"]

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", parent=settings.get_profile("default"), derandomize=True
)
settings.load_profile("ci" if os.environ.get("CI") else "default")
