"""Settings for the test suite: dev mode defaults, a fast hasher (the production hasher has its own test)."""

import os

os.environ.setdefault("STEPCARE_MODE", "dev")

from stepcare.web.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
