"""Where analytic and numerical Jacobians disagree, said so that a person can find it: the
input (by name and shape), the element as a multi-dimensional index, both values, and a small
table of the worst entries. Used by `opcheck` (the op tests, `python -m tools.gradcheck`) and
by `tl.testing.check_gradients`.

An entry J[r, k] = d output[r] / d input[k] is wrong when
    |analytic - numerical| > atol + rtol * |numerical|      (NaN is always wrong)
"""
from dataclasses import dataclass

import numpy as np

from . import gradient_check as gc

TABLE_ROWS = 5


@dataclass(frozen=True)
class Mismatch:
    """One wrong Jacobian entry: d output[output_index] / d input[input_index]."""
    input_name: str
    input_shape: tuple
    input_index: tuple
    output_name: str
    output_index: tuple
    analytic: float
    numeric: float
    excess: float       # |analytic - numeric| - (atol + rtol * |numeric|), > 0


def jacobians(fn, inputs, eps):
    """(diff, analytic, numerical): the indices of the inputs that require grad and both
    Jacobians, J[slot][o] of shape (outputs[o].size, inputs[diff[slot]].size)."""
    diff = [i for i, t in enumerate(inputs) if t.requires_grad]
    return (diff, gc._analytic_jacobians(fn, inputs, diff),
            gc._numerical_jacobians(fn, inputs, diff, eps))


def largest_errors(analytic, numeric):
    """(max |a - n|, max |a - n| / |n|) over every entry, for the summary table."""
    pairs = [(a, n) for row_a, row_n in zip(analytic, numeric) for a, n in zip(row_a, row_n)
             if a.size]
    abs_err = max((float(np.abs(a - n).max()) for a, n in pairs), default=0.0)
    rel_err = max((float((np.abs(a - n) / np.maximum(np.abs(n), 1e-12)).max())
                   for a, n in pairs), default=0.0)
    return abs_err, rel_err


def find_mismatches(fn, inputs, input_names, diff, analytic, numeric, atol, rtol,
                    output_names=None):
    """(every wrong entry, worst first; how many entries there are). `input_names[i]` names
    input i ("input 0", "parameter 'weight'"); outputs are "output" (or "output 0",
    "output 1", ...) unless `output_names` says otherwise."""
    output_shapes = [o.shape for o in gc._outputs(fn, inputs)]
    if output_names is None:
        output_names = (["output"] if len(output_shapes) == 1 else
                        [f"output {o}" for o in range(len(output_shapes))])
    found = []
    for slot, i in enumerate(diff):
        for o, (a, n) in enumerate(zip(analytic[slot], numeric[slot])):
            excess = np.abs(a - n) - (atol + rtol * np.abs(n))
            excess = np.where(np.isnan(excess), np.inf, excess)
            for r, k in zip(*np.nonzero(excess > 0)):
                found.append(Mismatch(
                    input_names[i], inputs[i].shape, _unravel(k, inputs[i].shape),
                    output_names[o], _unravel(r, output_shapes[o]),
                    float(a[r, k]), float(n[r, k]), float(excess[r, k])))
    total = sum(a.size for row in analytic for a in row)
    return sorted(found, key=lambda m: -m.excess), total


def explain(fn, inputs, names, eps, atol, rtol, output_names=None):
    """(max abs error, max rel error, the wrong entries worst first, how many entries there
    are): what the summary table and the report of a failed gradcheck are made of."""
    diff, analytic, numeric = jacobians(fn, inputs, eps)
    abs_err, rel_err = largest_errors(analytic, numeric)
    wrong, total = find_mismatches(fn, inputs, names, diff, analytic, numeric, atol, rtol,
                                   output_names)
    return abs_err, rel_err, wrong, total


def _unravel(flat, shape):
    return tuple(int(j) for j in np.unravel_index(flat, shape)) if shape else ()


def at(name, index):
    """'input 0[1, 2]', or just the name for a 0-d tensor."""
    return f"{name}[{', '.join(map(str, index))}]" if index else name


def describe(mismatches, total, atol, rtol):
    """The worst mismatch in a sentence, how many entries are wrong, then up to TABLE_ROWS
    of the worst as a table."""
    worst = mismatches[0]
    lines = [f"wrong gradient for {worst.input_name} (shape {worst.input_shape}): "
             f"d {at(worst.output_name, worst.output_index)} / "
             f"d {at(worst.input_name, worst.input_index)} is {worst.analytic!r} "
             f"analytically but {worst.numeric!r} numerically",
             f"{len(mismatches)} of {total} Jacobian entries differ by more than "
             f"atol + rtol * |numerical| (atol={atol:g}, rtol={rtol:g}); the worst:"]
    header = ("input", "input element", "output element", "analytic", "numerical", "|difference|")
    rows = [(m.input_name, at("", m.input_index) or "-", at(m.output_name, m.output_index),
             f"{m.analytic:.6g}", f"{m.numeric:.6g}", f"{abs(m.analytic - m.numeric):.3g}")
            for m in mismatches[:TABLE_ROWS]]
    widths = [max(len(row[c]) for row in [header] + rows) for c in range(len(header))]
    lines += ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
              for row in [header] + rows]
    return "\n".join(lines)
