"""Gradient-check every registered op on its own samples: the engine behind the op tests and
`python -m tools.gradcheck`. Inputs are drawn per the sample's domains, away from kinks."""
from dataclasses import dataclass

import numpy as np

from . import gradient_check as gc
from .function import OPS
from .tensor import Tensor


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


@dataclass
class CaseResult:
    op: str
    case: str
    order: int            # 1 for gradcheck, 2 for gradgradcheck
    max_abs: float
    max_rel: float
    error: str | None     # None when the check passed

    @property
    def ok(self):
        return self.error is None


def _errors(fn, inputs, diff):
    """Largest absolute and relative difference between analytic and numeric Jacobians."""
    analytic = gc._analytic_jacobians(fn, inputs, diff)
    numeric = gc._numerical_jacobians(fn, inputs, diff, 1e-6)
    pairs = [(a, n) for row_a, row_n in zip(analytic, numeric) for a, n in zip(row_a, row_n)
             if a.size]
    abs_err = max((float(np.abs(a - n).max()) for a, n in pairs), default=0.0)
    rel_err = max((float((np.abs(a - n) / np.maximum(np.abs(n), 1e-12)).max())
                   for a, n in pairs), default=0.0)
    return abs_err, rel_err


def check_op(spec, seed=0, second_order=True):
    """Run gradcheck (and gradgradcheck when the spec allows) on every sample of one op."""
    rng = np.random.default_rng(seed)
    results = []
    for sample in spec.samples:
        inputs = sample_inputs(sample, rng)
        case = " x ".join(str(tuple(s)) for s in sample.shapes)
        if sample.kwargs:
            case += " " + ", ".join(f"{k}={v!r}" for k, v in sample.kwargs.items()
                                    if not isinstance(v, (tuple, np.ndarray)) or len(str(v)) < 30)

        def fn(*xs, _kwargs=sample.kwargs):
            return spec.cls.apply(*xs, **_kwargs)

        checks = [(1, fn, inputs)]
        if second_order and spec.second_order:
            checks.append((2, *gc.first_derivatives(fn, inputs)))
        for order, f, xs in checks:
            try:
                gc.gradcheck(f, xs)
                error = None
            except (gc.GradcheckError, RuntimeError, ValueError, TypeError) as e:
                error = str(e)
            diff = [i for i, t in enumerate(xs) if t.requires_grad]
            try:
                abs_err, rel_err = _errors(f, xs, diff)
            except (RuntimeError, ValueError, TypeError):
                abs_err = rel_err = float("nan")    # the check above already says why
            results.append(CaseResult(spec.name, case, order, abs_err, rel_err, error))
    return results


def check_all(names=None, seed=0, second_order=True):
    """check_op over the whole registry (or the named ops)."""
    names = list(OPS) if names is None else names
    unknown = [n for n in names if n not in OPS]
    if unknown:
        raise KeyError(f"opcheck: unknown op(s) {unknown}; registered: {sorted(OPS)}")
    return [r for n in names for r in check_op(OPS[n], seed, second_order)]
