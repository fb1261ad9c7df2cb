"""Settings for the test suite, so that a bare `pytest` runs as `make test` does.

The tests run with development defaults (DEBUG on, the development secret key) unless the
environment says otherwise. The value goes into the environment, not only into this module, so
the worker and web processes the tests start read the same settings.
"""

import os

os.environ.setdefault("DEBUG", "1")

from config.settings import *  # noqa: E402,F403
