"""L-BFGS: a quasi-Newton method that needs a closure re-evaluating the loss.

Newton's method steps by -H⁻¹g with H the Hessian, too big to store for a network. BFGS
builds an approximation of H⁻¹ from how the gradient changed between steps; L-BFGS keeps
only the last `history_size` pairs (s = step taken, y = change of gradient) and applies
the approximation with the two-loop recursion, never forming a matrix. It works on all
parameters as one flat vector and suits full-batch problems (small, deterministic losses).

    opt = optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
    def closure():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss
    opt.step(closure)        # up to max_iter iterations, calling closure several times
"""
import math

import numpy as np

import tinygrad_lite as tl
from tinygrad_lite.tensor import Tensor
from tinygrad_lite.autograd.graph import increment_version

from .optimizer import Optimizer


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """Where the cubic through (x1, f1) and (x2, f2) with slopes g1, g2 has its minimum,
    clamped to `bounds` (default: between x1 and x2); their midpoint if it has none.
    Nocedal & Wright (3.59):  d1 = g1 + g2 - 3(f1 - f2)/(x1 - x2),  d2 = √(d1² - g1·g2),
        x_min = x2 - (x2 - x1)·(g2 + d2 - d1) / (g2 - g1 + 2·d2)     (x1 ≤ x2)."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    if x1 > x2:                       # the formula names the right-hand point x2
        x1, f1, g1, x2, f2, g2 = x2, f2, g2, x1, f1, g1
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    x_min = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    return min(max(x_min, low), high)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9,
                  max_ls=25):
    """Find a step t along d meeting the strong Wolfe conditions (Nocedal & Wright, alg.
    3.5 and 3.6): enough decrease  f(t) ≤ f + c1·t·g'd,  and a flat enough slope
    |g(t)'d| ≤ c2·|g'd|.  `evaluate(t)` returns (f(t), g(t)); at most max_ls evaluations.

    First grow t until a bracket [t_prev, t] must contain such a point, then shrink the
    bracket with cubic interpolation ("zoom"). Returns (f, g, t, evaluations) of the best
    point found. A point is the tuple (t, f, g, g'd)."""
    d_norm = np.abs(d).max()
    f_new, g_new = evaluate(t)
    evaluations = 1
    new = (t, f_new, g_new, g_new @ d)
    prev = (0, f, g, gtd)
    done = False
    ls_iter = 0
    bracket = None
    while ls_iter < max_ls:                                # 1. bracketing
        t, f_new, _, gtd_new = new
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= prev[1]):
            bracket = [prev, new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, done = [new], True
            break
        if gtd_new >= 0:
            bracket = [prev, new]
            break
        t_next = _cubic_minimum(prev[0], prev[1], prev[3], t, f_new, gtd_new,
                                bounds=(t + 0.01 * (t - prev[0]), t * 10))
        prev = new
        f_next, g_next = evaluate(t_next)
        evaluations += 1
        new = (t_next, f_next, g_next, g_next @ d)
        ls_iter += 1
    if bracket is None:                                    # out of evaluations
        bracket = [(0, f, g, gtd), new]

    insufficient_progress = False
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    while not done and ls_iter < max_ls:                   # 2. zoom
        (t_a, f_a, _, gtd_a), (t_b, f_b, _, gtd_b) = bracket
        if abs(t_b - t_a) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(t_a, f_a, gtd_a, t_b, f_b, gtd_b)
        left, right = min(t_a, t_b), max(t_a, t_b)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:              # too close to an end:
            if insufficient_progress or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                insufficient_progress = False               # move 10% inside
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        ls_iter += 1
        new = (t, f_new, g_new, g_new @ d)
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = new                            # not low enough: new high end
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
        else:
            if abs(new[3]) <= -c2 * gtd:
                done = True
            elif new[3] * (bracket[high][0] - bracket[low][0]) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = new                             # the new lowest point
    t, f_new, g_new, _ = bracket[low]
    return f_new, g_new, t, evaluations


class LBFGS(Optimizer):
    """`LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
    tolerance_change=1e-9, history_size=100, line_search_fn=None)`; `step(closure)`.

    One `step(closure)` runs up to max_iter iterations (max_eval closure calls, default
    max_iter·5/4) of:
        d = -H·g   by the two-loop recursion over the stored pairs (s_i, y_i), ρ_i = 1/(y_i's_i),
                   starting from H = (y's)/(y'y) of the newest pair (the identity at first)
        t = lr (the first iteration ever: min(1, 1/Σ|g|)·lr), or a strong Wolfe line search
            with line_search_fn="strong_wolfe"
        w ← w + t·d;   store s = t·d, y = g_new - g  (only if y's > 1e-10: curvature > 0)
    and stops early when max|g| ≤ tolerance_grad, or when the step max|t·d|, the change of
    loss, or the slope g'd falls below tolerance_change. The state (of the first parameter,
    as PyTorch) keeps PyTorch's names: old_dirs are the y's, old_stps the s's.
    One parameter group only.
    """

    nonnegative = ("lr", "tolerance_grad", "tolerance_change")

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                                      tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change,
                                      history_size=history_size, line_search_fn=line_search_fn))

    def _check(self, group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups); "
                             "pass one list of parameters")
        super()._check(group)
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                self._fail(key, value, "it must be an int >= 1")
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            self._fail("line_search_fn", group["line_search_fn"],
                       "only None and 'strong_wolfe' are supported")

    # ---- all parameters as one flat vector ------------------------------------------------
    @property
    def _params(self):
        return self.param_groups[0]["params"]

    def _flat_grad(self):
        return np.concatenate([np.zeros(p.numel(), p.dtype) if p.grad is None
                               else p.grad._data.reshape(-1) for p in self._params])

    def _flat_params(self):
        return np.concatenate([p._data.reshape(-1) for p in self._params])

    def _add_to_params(self, t, d):
        """w ← w + t·d, each parameter taking its slice of d, in place."""
        start = 0
        for p in self._params:
            p._data += t * d[start:start + p.numel()].reshape(p.shape)
            increment_version(p)
            start += p.numel()

    def _set_params(self, x):
        start = 0
        for p in self._params:
            p._data[...] = x[start:start + p.numel()].reshape(p.shape)
            increment_version(p)
            start += p.numel()

    @staticmethod
    def _two_loop(g, old_dirs, old_stps, ro, H_diag):
        """d = -H·g with H the L-BFGS inverse-Hessian approximation (Nocedal & Wright alg.
        7.4): q ← -g; newest to oldest: α_i = ρ_i·s_i'q, q ← q - α_i·y_i;  r = H_diag·q;
        oldest to newest: β_i = ρ_i·y_i'r, r ← r + (α_i - β_i)·s_i."""
        q = -g
        alphas = [0.0] * len(old_dirs)
        for i in reversed(range(len(old_dirs))):
            alphas[i] = (old_stps[i] @ q) * ro[i]
            q -= alphas[i] * old_dirs[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            beta = (old_dirs[i] @ r) * ro[i]
            r += (alphas[i] - beta) * old_stps[i]
        return r

    def step(self, closure):
        """Run up to max_iter L-BFGS iterations; `closure()` zeroes the grads, computes the
        loss, calls backward and returns the loss. Returns the loss of the first call."""
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]

        def evaluate():
            with tl.enable_grad():
                return closure()

        state = self.state.setdefault(self._params[0], {"func_evals": 0, "n_iter": 0})
        first_loss = evaluate()
        loss = float(first_loss)
        evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:      # already at a minimum
            return first_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:                       # the very first iteration
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                ys = y @ s
                if ys > 1e-10:                             # keep the pair: positive curvature
                    keep = group["history_size"] - 1
                    old_dirs = (old_dirs[-keep:] if keep else []) + [y]
                    old_stps = (old_stps[-keep:] if keep else []) + [s]
                    ro = (ro[-keep:] if keep else []) + [1.0 / ys]
                    H_diag = ys / (y @ y)
                d = self._two_loop(flat_grad, old_dirs, old_stps, ro, H_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss

            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad @ d                            # slope along d
            if gtd > -tolerance_change:
                break
            if group["line_search_fn"] == "strong_wolfe":
                x = self._flat_params()

                def loss_and_grad_at(step_length):
                    self._add_to_params(step_length, d)
                    value = float(evaluate())
                    grad = self._flat_grad()
                    self._set_params(x)
                    return value, grad
                loss, flat_grad, t, ls_evals = _strong_wolfe(
                    loss_and_grad_at, t, d, loss, flat_grad, gtd, max_ls=max_eval - evals)
                self._add_to_params(t, d)
            else:
                self._add_to_params(t, d)
                ls_evals = 0
                if n_iter != max_iter:                     # the last loss is not needed
                    loss = float(evaluate())
                    flat_grad = self._flat_grad()
                    ls_evals = 1
            evals += ls_evals
            state["func_evals"] += ls_evals

            if n_iter == max_iter or evals >= max_eval:
                break
            if np.abs(flat_grad).max() <= tolerance_grad:
                break                                      # converged
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break                                      # no progress
        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return first_loss

    def _load_value(self, key, value, p, position, group):
        """The state holds flat vectors (and lists of them) over all parameters."""
        if isinstance(value, list):
            return [self._load_value(key, v, p, position, group) for v in value]
        if isinstance(value, Tensor):
            value = value._data
        if not isinstance(value, np.ndarray):
            return value
        size = sum(q.numel() for q in self._params)
        if value.shape != (size,):
            raise ValueError(f"LBFGS.load_state_dict: state {key!r} has shape {value.shape}, "
                             f"expected ({size},): one entry per parameter entry")
        return np.array(value, dtype=p.dtype)
