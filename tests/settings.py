"""The test run's settings: the project's own, on a database chosen by DATABASE_URL
and on the local defaults for the rest.

A shell that exports REDIS_URL (a developer's, a deployment's) would otherwise move
the cache, the sessions and the task queue of every test to that Redis, where a test
that travels in time cannot make a page expire and processes the tests start share it.
The tests that are about Redis choose it themselves (tests/scale/test_redis.py, on a
database of their own).
"""

import os

os.environ.pop("REDIS_URL", None)
# The processes the tests start (a worker, manage.py) run the project's settings, with
# the environment each test gives them.
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

from portal.settings import *  # noqa: E402, F403
