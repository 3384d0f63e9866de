"""The pytest plugin of tinygrad_lite, registered with the `pytest11` entry point; it does
nothing unless asked.

    pytest --tl-gradcheck mypackage.ops      # repeatable; a package means all its submodules

imports the module (which registers its ops with @tl.register, on Function classes or on
functions of Tensors) and adds, per op it registers and per Sample of the op, the tests
below: the checks of tinygrad_lite.opcheck, which tests/test_ops.py runs on the library's ops.
    gradcheck[myop-sample0]        first derivatives against central differences (float64)
    gradgradcheck[myop-sample0]    second derivatives (unless registered second_order=False)
    reference[myop-sample0]        forward against the op's NumPy reference (when it has one)
    torch[myop-sample0]            forward and gradients against the op's PyTorch twin (when
                                   it has one; skipped when torch is not installed)
Only the ops defined in those modules are checked, not the library's own.

The fixture `tl_gradcheck` is tl.testing.check_gradients, for your own tests:

    def test_my_layer(tl_gradcheck):
        tl_gradcheck(MyLayer(3, 4), (2, 3))
"""
import inspect
from pathlib import Path

import pytest

from .opcheck import CHECKS, CheckSkipped, kinds_of
from .testing import check_gradients
from .testing.discovery import DiscoveryError, ops_of

_OPS = pytest.StashKey()     # the OpSpecs to check, found at configure time


def pytest_addoption(parser):
    parser.getgroup("tinygrad_lite").addoption(
        "--tl-gradcheck", action="append", default=[], metavar="MODULE_OR_PACKAGE",
        help="import MODULE_OR_PACKAGE (all submodules of a package) and gradient-check every "
             "op it registers with tl.register (repeatable)")


def pytest_configure(config):
    names = config.getoption("tl_gradcheck")
    if names:
        try:
            config.stash[_OPS] = ops_of(names)
        except DiscoveryError as e:
            raise pytest.UsageError(f"--tl-gradcheck: {e}") from None


@pytest.hookimpl(tryfirst=True)         # before -k/-m deselect, so they select these tests too
def pytest_collection_modifyitems(session, config, items):
    by_module = {}
    for spec in config.stash.get(_OPS, ()):
        by_module.setdefault(spec.cls.__module__, []).append(spec)
    for module, specs in by_module.items():
        collector = OpChecks.from_parent(session, name=module, specs=specs)
        items += session.genitems(collector)     # pytest's collection, reported as usual


class OpChecks(pytest.Collector):
    """The generated tests of the ops one user module registers (node id: the module name)."""

    def __init__(self, *, name, specs, parent, **kwargs):
        path = Path(inspect.getfile(specs[0].source))
        super().__init__(name=name, parent=parent, path=path, nodeid=name, **kwargs)
        self.specs = specs

    def collect(self):
        for spec in self.specs:
            for index in range(len(spec.samples)):
                for kind in kinds_of(spec):
                    yield OpCheckItem.from_parent(self, spec=spec, index=index, kind=kind)


class OpCheckItem(pytest.Item):
    """One generated test: `kind` (a key of CHECKS) on sample `index` of a registered op."""

    def __init__(self, *, spec, index, kind, **kwargs):
        super().__init__(name=f"{kind}[{spec.name}-sample{index}]", **kwargs)
        self.spec, self.index, self.kind = spec, index, kind

    def runtest(self):
        try:
            CHECKS[self.kind](self.spec, self.spec.samples[self.index])
        except CheckSkipped as e:           # torch is not installed
            pytest.skip(str(e))

    def repr_failure(self, excinfo, style=None):
        """A failed check's own message is the report; other errors get a traceback."""
        if isinstance(excinfo.value, AssertionError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, inspect.getsourcelines(self.spec.source)[1] - 1, self.name


@pytest.fixture
def tl_gradcheck():
    """tl.testing.check_gradients: `tl_gradcheck(fn_or_op_or_module, (3, 4), ...)` raises
    GradientCheckFailure (an AssertionError) naming the input and element that are wrong."""
    def check(*args, **kwargs):
        __tracebackhide__ = True        # pytest shows the test's line, not this wrapper
        check_gradients(*args, **kwargs)
    return check
