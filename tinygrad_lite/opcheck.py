"""The four checks of a registered op, on one of its Samples, used by tests/test_ops.py, the
pytest plugin (`pytest --tl-gradcheck`) and `python -m tools.gradcheck`:

    gradcheck       first derivatives against central differences (float64)
    gradgradcheck   second derivatives likewise (unless registered second_order=False)
    reference       forward against the op's NumPy reference
    torch           forward and first derivatives against the op's PyTorch twin

Inputs are drawn from numpy's default_rng(seed) per the sample's domains, away from kinks.
A failed check raises an AssertionError whose message is the report; a check that cannot
run (no reference, no twin, torch not installed) raises CheckSkipped saying why."""
import math
from dataclasses import dataclass

import numpy as np

from . import gradient_check as gc
from . import jacobian_report, random
from .function import OPS
from .gradient_check import ATOL, EPS, RTOL
from .tensor import Tensor
from .testing.compare import assert_close

SEED = 0
# forward vs reference or twin, both float64: |ours - theirs| <= FORWARD_ATOL +
# FORWARD_RTOL * |theirs|, also for the torch check's gradients (no finite differences there)
FORWARD_RTOL, FORWARD_ATOL = 1e-12, 1e-12


def _draw(domain, shape, rng):
    if callable(domain):
        return np.asarray(domain(rng, shape), dtype=np.float64)
    if domain == "real":        # |x| in [0.2, 1.5]: no ReLU/abs kink within eps
        return rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if domain == "distinct":    # a shuffled ladder with gaps of 0.1: max/min have no ties
        size = int(np.prod(shape))
        return (rng.permutation(size) * 0.1 - size * 0.05).reshape(shape)
    if domain == "bool":
        return rng.random(shape) < 0.5
    raise ValueError(f"opcheck: unknown domain {domain!r}; valid: real, positive, unit, "
                     "distinct, bool, or a callable (rng, shape) -> array")


def sample_inputs(sample, rng):
    """float64 tensors (requiring grad) for the sample's shapes; bool inputs are constants."""
    domains = sample.domains or ("real",) * len(sample.shapes)
    tensors = []
    for shape, domain in zip(sample.shapes, domains):
        array = np.asarray(_draw(domain, shape, rng))
        tensors.append(Tensor(array, dtype=array.dtype, requires_grad=array.dtype.kind == "f"))
    return tensors


def describe_case(sample):
    """The case column of the table: the shapes, then the short keyword attributes."""
    case = " x ".join(str(tuple(s)) for s in sample.shapes)
    if sample.kwargs:
        case += " " + ", ".join(f"{k}={v!r}" for k, v in sample.kwargs.items()
                                if not isinstance(v, (tuple, np.ndarray)) or len(str(v)) < 30)
    return case


def input_names(inputs):
    """"input 0", "input 1", ...: how reports name the inputs of a checked function."""
    return [f"input {i}" for i in range(len(inputs))]


class CheckSkipped(Exception):
    """A check that cannot run for this op; the message says why (pytest reports a skip)."""


class GradientCheckFailure(gc.GradcheckError):
    """A wrong gradient. Besides the message: `function` (its name), `order` (1 or 2) and
    `mismatches` (jacobian_report.Mismatch entries, worst first)."""

    def __init__(self, message, function, order, mismatches):
        super().__init__(message)
        self.function, self.order, self.mismatches = function, order, mismatches


# ---- gradcheck and gradgradcheck --------------------------------------------------------------
@dataclass
class GradientReport:
    max_abs: float        # the largest |analytic - numerical| (NaN when not measured)
    max_rel: float        # ... divided by |numerical|
    mismatches: list      # the wrong Jacobian entries, worst first
    details: str | None   # None when the check passed, else the worst wrong entries (or
                          # gradcheck's own message when no entry is, e.g. not reentrant)


def gradient_report(fn, inputs, names, output_names=None, measure=False, eps=EPS, atol=ATOL,
                    rtol=RTOL):
    """gradcheck of `fn(*inputs)`; when it fails (or when `measure`) the Jacobians are compared
    entry by entry (jacobian_report.explain) and the details name the worst wrong entries."""
    try:
        gc.gradcheck(fn, inputs, eps=eps, atol=atol, rtol=rtol)
        error = None
    except gc.GradcheckError as e:
        error = str(e)
    if error is None and not measure:
        return GradientReport(math.nan, math.nan, [], None)
    max_abs, max_rel, wrong, total = jacobian_report.explain(fn, inputs, names, eps, atol,
                                                             rtol, output_names)
    if error is not None and wrong:
        error = jacobian_report.describe(wrong, total, atol, rtol)
    return GradientReport(max_abs, max_rel, wrong, error)


def second_order_case(fn, inputs, names, grad_outputs=None):
    """The function gradgradcheck checks (fn's vector-Jacobian products, see
    gradient_check.first_derivatives), its inputs, their names and its outputs' names."""
    vjp, vjp_inputs = gc.first_derivatives(fn, inputs, grad_outputs)
    differentiable = [name for name, t in zip(names, inputs) if t.requires_grad]
    extra = len(vjp_inputs) - len(inputs)
    return (vjp, vjp_inputs, names + [f"grad_output {j}" for j in range(extra)],
            [f"(grad of {name})" for name in differentiable])


@dataclass
class CaseResult:
    """One row of `python -m tools.gradcheck`'s table."""
    op: str
    case: str
    order: int            # 1 for gradcheck, 2 for gradgradcheck
    max_abs: float
    max_rel: float
    error: str | None     # None when the check passed

    @property
    def ok(self):
        return self.error is None


class GradientCheck:
    """`fn(*inputs)` in float64 made ready to check, with a name for every input and a note
    for the failure message. The library generator is re-seeded with `seed` before every
    evaluation (random layers draw the same mask each time); the caller's random state is
    kept. `first_order()` / `second_order()` raise GradientCheckFailure; `results()` measures
    both orders for a table."""

    def __init__(self, name, fn, inputs, names, seed=SEED, note=""):
        self.name, self.inputs, self.names, self.seed, self.note = name, inputs, names, seed, note

        def seeded(*xs):
            random.manual_seed(seed)            # the same dropout mask in every evaluation
            return fn(*xs)
        self.fn = seeded

    def checked_function(self, order):
        """(function, inputs, input names, output names) that gradcheck checks for `order`:
        for 2 the vector-Jacobian products, with grad_outputs from default_rng(seed + 1)."""
        if order == 1:
            return self.fn, self.inputs, self.names, None
        rng = np.random.default_rng(self.seed + 1)
        grad_outputs = [Tensor(rng.standard_normal(o.shape), dtype=o.dtype, requires_grad=True)
                        for o in gc._outputs(self.fn, self.inputs)]
        return second_order_case(self.fn, self.inputs, self.names, grad_outputs)

    def first_order(self, eps=EPS, atol=ATOL, rtol=RTOL):
        """gradcheck: d outputs / d inputs against central differences."""
        self._check(1, eps, atol, rtol)

    def second_order(self, eps=EPS, atol=ATOL, rtol=RTOL):
        """gradgradcheck: the derivatives of the vector-Jacobian products."""
        self._check(2, eps, atol, rtol)

    def _check(self, order, eps, atol, rtol):
        with random.fork_rng():
            report = gradient_report(*self.checked_function(order), eps=eps, atol=atol, rtol=rtol)
        if report.details is not None:
            what = ("gradcheck (first derivatives)" if order == 1 else
                    "gradgradcheck (second derivatives)")
            raise GradientCheckFailure(f"check_gradients({self.name}): {what} failed\n"
                                       f"{report.details}{self.note}", self.name, order,
                                       report.mismatches)

    def results(self, case, second_order=True):
        """A measured CaseResult per order, `case` its label; an exception of the function
        is its error."""
        return [self._result(case, order) for order in ((1, 2) if second_order else (1,))]

    def _result(self, case, order):
        try:
            with random.fork_rng():
                report = gradient_report(*self.checked_function(order), measure=True)
        except (RuntimeError, ValueError, TypeError) as e:
            return CaseResult(self.name, case, order, math.nan, math.nan, str(e))
        error = report.details
        if report.mismatches:
            error = ("gradcheck: " if order == 1 else "gradgradcheck: ") + error
        return CaseResult(self.name, case, order, report.max_abs, report.max_rel, error)


def gradient_check_of(spec, sample, seed=SEED):
    """The GradientCheck of an op on one of its samples."""
    inputs = sample_inputs(sample, np.random.default_rng(seed))
    return GradientCheck(spec.name, lambda *xs: spec.cls.apply(*xs, **sample.kwargs), inputs,
                         input_names(inputs), seed)


def check_gradcheck(spec, sample, seed=SEED):
    """First derivatives of the op on the sample against central differences."""
    gradient_check_of(spec, sample, seed).first_order()


def check_gradgradcheck(spec, sample, seed=SEED):
    """Second derivatives of the op on the sample against central differences."""
    if not spec.second_order:
        raise CheckSkipped(f"{spec.name} is registered with second_order=False")
    gradient_check_of(spec, sample, seed).second_order()


# ---- reference and torch ------------------------------------------------------------------------
def _assert_matches(ours, theirs, spec, sample, what):
    assert_close(ours, theirs, rtol=FORWARD_RTOL, atol=FORWARD_ATOL, check_dtype=False,
                 msg=lambda m: f"{spec.name} on {describe_case(sample)}: {what}\n{m}")


def check_reference(spec, sample, seed=SEED):
    """The op's forward on float64 inputs against its NumPy reference."""
    if spec.reference is None:
        raise CheckSkipped(f"{spec.name} has no NumPy reference (its PyTorch twin is the "
                           "oracle)")
    inputs = sample_inputs(sample, np.random.default_rng(seed))
    out = spec.cls.apply(*inputs, **sample.kwargs)
    expected = np.asarray(spec.reference(*[t._data for t in inputs], **sample.kwargs))
    _assert_matches(out, expected, spec, sample, "forward differs from its NumPy reference")


def check_torch(spec, sample, seed=SEED):
    """The op against its PyTorch twin, both in float64: the forward, then the gradients of
    sum(out * w) for random weights w (the vector-Jacobian product w^T J) for every input
    that requires grad; an input the op does not reach has gradient zero."""
    if spec.torch is None:
        raise CheckSkipped(f"{spec.name} has no PyTorch twin")
    try:
        import torch
    except ImportError:
        raise CheckSkipped(f"{spec.name}: torch is not installed, so its PyTorch twin "
                           "cannot run (pip install torch)") from None
    rng = np.random.default_rng(seed)
    inputs = sample_inputs(sample, rng)
    out = spec.cls.apply(*inputs, **sample.kwargs)
    twins = [torch.tensor(t._data, requires_grad=t.requires_grad) for t in inputs]
    expected = spec.torch(torch, *twins, **sample.kwargs)
    _assert_matches(out, expected.detach().numpy(), spec, sample,
                    "forward differs from its PyTorch twin")
    weights = rng.standard_normal(out.shape)
    (out * Tensor(weights, dtype=weights.dtype)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for i, (t, twin) in enumerate(zip(inputs, twins)):
        if t.requires_grad:
            ours = np.zeros(t.shape) if t.grad is None else t.grad._data
            theirs = np.zeros(t.shape) if twin.grad is None else twin.grad.numpy()
            _assert_matches(ours, theirs, spec, sample,
                            f"gradient of input {i} differs from its PyTorch twin's")


CHECKS = {"gradcheck": check_gradcheck, "gradgradcheck": check_gradgradcheck,
          "reference": check_reference, "torch": check_torch}


def kinds_of(spec):
    """The keys of CHECKS that apply to the op: what it registers decides."""
    return (["gradcheck"] + (["gradgradcheck"] if spec.second_order else [])
            + (["reference"] if spec.reference is not None else [])
            + (["torch"] if spec.torch is not None else []))


# ---- the table of tools.gradcheck ---------------------------------------------------------------
def check_op(spec, seed=SEED, second_order=True):
    """Measured gradcheck (and gradgradcheck when the spec allows) of every sample of an op."""
    return [result for sample in spec.samples
            for result in gradient_check_of(spec, sample, seed).results(
                describe_case(sample), second_order and spec.second_order)]


def check_all(names=None, seed=SEED, second_order=True):
    """check_op over the whole registry (or the named ops)."""
    names = list(OPS) if names is None else names
    unknown = [n for n in names if n not in OPS]
    if unknown:
        raise KeyError(f"opcheck: unknown op(s) {unknown}; registered: {sorted(OPS)}")
    return [r for n in names for r in check_op(OPS[n], seed, second_order)]
