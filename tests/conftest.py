"""Shared test settings: every test starts from the same library seed. Under CI, where the
PyTorch parity tests are our oracle, a torch that fails to import stops the run instead of
turning every parity test into a skip (.ci/run sets TINYGRAD_LITE_REQUIRE_TORCH=1)."""
import os

import numpy as np
import pytest

import tinygrad_lite as tl


@pytest.fixture(autouse=True)
def _seed():
    tl.manual_seed(0)
    np.random.seed(0)


def pytest_configure(config):
    if os.environ.get("TINYGRAD_LITE_REQUIRE_TORCH") == "1":
        import torch  # noqa: F401  (an ImportError here fails the run, as it should)
