"""Shared test set-up: every test starts from the same seed and the default dtype."""
import pytest

import ember


@pytest.fixture(autouse=True)
def _reset_state():
    ember.manual_seed(0)
    ember.set_default_dtype(ember.float32)
    yield
    ember.set_default_dtype(ember.float32)
