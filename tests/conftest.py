"""Shared test settings: every test starts from the same library seed."""
import numpy as np
import pytest

import tinygrad_lite as tl


@pytest.fixture(autouse=True)
def _seed():
    tl.manual_seed(0)
    np.random.seed(0)
