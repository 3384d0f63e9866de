"""Gradient-check every registered op on its own samples: the engine behind the op tests and
`python -m tools.gradcheck`. Inputs are drawn per the sample's domains, away from kinks."""
from dataclasses import dataclass

import numpy as np

from . import gradient_check as gc
from . import jacobian_report
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


def input_names(inputs):
    """"input 0", "input 1", ...: how reports name the inputs of a checked function."""
    return [f"input {i}" for i in range(len(inputs))]


def second_order_case(fn, inputs, names, grad_outputs=None):
    """The function gradgradcheck checks (fn's vector-Jacobian products, see
    gradient_check.first_derivatives), its inputs, their names and its outputs' names."""
    vjp, vjp_inputs = gc.first_derivatives(fn, inputs, grad_outputs)
    differentiable = [name for name, t in zip(names, inputs) if t.requires_grad]
    extra = len(vjp_inputs) - len(inputs)
    return (vjp, vjp_inputs, names + [f"grad_output {j}" for j in range(extra)],
            [f"(grad of {name})" for name in differentiable])


def check_case(op, case, fn, inputs, second_order=True):
    """gradcheck, and gradgradcheck when second_order, of `fn(*inputs)`: one CaseResult per
    order; a failure's error is the report of the worst wrong entries."""
    names = input_names(inputs)
    results = [_check_order(op, case, 1, lambda: (fn, inputs, names, None))]
    if second_order:
        results.append(_check_order(op, case, 2,
                                    lambda: second_order_case(fn, inputs, names)))
    return results


def _check_order(op, case, order, build):
    """One CaseResult: `build()` gives the function to gradcheck, its inputs, their names
    and its outputs' names (building it runs fn, which may fail too)."""
    errors = (gc.GradcheckError, RuntimeError, ValueError, TypeError)
    try:
        f, xs, xs_names, output_names = build()
    except errors as e:
        return CaseResult(op, case, order, float("nan"), float("nan"), str(e))
    try:
        gc.gradcheck(f, xs)
        error = None
    except errors as e:
        error = str(e)
    try:
        abs_err, rel_err, wrong, total = jacobian_report.explain(
            f, xs, xs_names, 1e-6, 1e-5, 1e-3, output_names)
    except (RuntimeError, ValueError, TypeError):
        return CaseResult(op, case, order, float("nan"), float("nan"), error)  # says why
    if error is not None and wrong:
        error = (("gradgradcheck: " if order == 2 else "gradcheck: ")
                 + jacobian_report.describe(wrong, total, 1e-5, 1e-3))
    return CaseResult(op, case, order, abs_err, rel_err, error)


def describe_case(sample):
    """The case column of the table: the shapes, then the short keyword attributes."""
    case = " x ".join(str(tuple(s)) for s in sample.shapes)
    if sample.kwargs:
        case += " " + ", ".join(f"{k}={v!r}" for k, v in sample.kwargs.items()
                                if not isinstance(v, (tuple, np.ndarray)) or len(str(v)) < 30)
    return case


def check_op(spec, seed=0, second_order=True):
    """Run gradcheck (and gradgradcheck when the spec allows) on every sample of one op."""
    rng = np.random.default_rng(seed)
    results = []
    for sample in spec.samples:
        inputs = sample_inputs(sample, rng)

        def fn(*xs, _kwargs=sample.kwargs):
            return spec.cls.apply(*xs, **_kwargs)

        results += check_case(spec.name, describe_case(sample), fn, inputs,
                              second_order and spec.second_order)
    return results


def check_all(names=None, seed=0, second_order=True):
    """check_op over the whole registry (or the named ops)."""
    names = list(OPS) if names is None else names
    unknown = [n for n in names if n not in OPS]
    if unknown:
        raise KeyError(f"opcheck: unknown op(s) {unknown}; registered: {sorted(OPS)}")
    return [r for n in names for r in check_op(OPS[n], seed, second_order)]
