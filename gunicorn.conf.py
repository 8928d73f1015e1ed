"""gunicorn's own settings, read from the working directory by `make serve`, the web unit and
tests/project/test_serve.py: its lines (start, stop, a worker killed after a timeout) in the format
of the product's (project/logs.py), JSON lines when LOG_JSON says so, on the standard error; each
worker's loaded code frozen out of the garbage collector's reach (``post_worker_init``)."""

import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from project.env import env_bool, read_env_file  # noqa: E402 (the clone's packages, from its directory)
from project.logs import logging_config  # noqa: E402

_env = {**read_env_file(Path(os.environ.get("ENV_FILE") or Path(__file__).resolve().parent / ".env"),
                        "ENV_FILE" in os.environ), **os.environ}
logconfig_dict = logging_config(env_bool(_env, "LOG_JSON", not env_bool(_env, "DEMO", False)), "INFO")
# No level: the one of --log-level (INFO by default) stays.
logconfig_dict["loggers"] |= {"gunicorn.error": {"handlers": ["console"], "propagate": False}}


def post_worker_init(worker) -> None:
    """Once the worker has loaded the product, and its URLs (which import every view and form): the
    objects loaded so far live as long as the worker, so ``gc.freeze()`` moves them out of the
    collector's generations, and no full collection walks them again (tens of thousands of objects at
    each of them, docs/performance.md). The application is loaded in each worker, not preloaded in the
    master (``preload_app``): ``systemctl reload`` (HUP) must start workers on the new code."""
    from django.urls import get_resolver  # noqa: PLC0415 (the worker's settings are loaded by now)

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
    gc.freeze()
