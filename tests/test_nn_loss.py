"""Losses: PyTorch parity (values and gradients for every reduction), gradient checks,
stability at extreme inputs, the lecture's dL/dz = a - y, errors naming loss and shapes,
and the L1/L2 penalties."""
import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)
SCORES = rng.standard_normal((6, 4))
CLASSES = np.array([0, 3, 1, 1, 2, 3])
PROBS = rng.uniform(0.05, 0.95, (6, 4))
LABELS = (rng.random((6, 4)) < 0.5).astype(np.float64)
SOFT = rng.dirichlet(np.ones(4), 6)            # rows of class probabilities
CLASS_W = np.array([1.0, 2.0, 0.5, 3.0])        # one weight per class (float64)
ROW_W = rng.uniform(0.5, 2.0, (6, 1))           # one weight per example, broadcast


def _cases():
    """(name, our module, torch factory, input, target, target differentiable)."""
    return [
        ("mse", lambda r: nn.MSELoss(reduction=r), lambda t, r: t.nn.MSELoss(reduction=r),
         SCORES, PROBS, True),
        ("l1", lambda r: nn.L1Loss(reduction=r), lambda t, r: t.nn.L1Loss(reduction=r),
         SCORES, PROBS, True),
        ("bce", lambda r: nn.BCELoss(reduction=r), lambda t, r: t.nn.BCELoss(reduction=r),
         PROBS, LABELS, False),
        ("bce_logits", lambda r: nn.BCEWithLogitsLoss(reduction=r),
         lambda t, r: t.nn.BCEWithLogitsLoss(reduction=r), SCORES * 3, LABELS, False),
        ("bce_logits_pos_weight",
         lambda r: nn.BCEWithLogitsLoss(reduction=r, pos_weight=tl.tensor([1.0, 2.0, 0.5, 3.0],
                                                                          dtype=tl.float64)),
         lambda t, r: t.nn.BCEWithLogitsLoss(
             reduction=r, pos_weight=t.tensor([1.0, 2.0, 0.5, 3.0], dtype=t.float64)),
         SCORES, LABELS, False),
        ("cross_entropy", lambda r: nn.CrossEntropyLoss(reduction=r),
         lambda t, r: t.nn.CrossEntropyLoss(reduction=r), SCORES, CLASSES, False),
        ("cross_entropy_ignore_smooth",
         lambda r: nn.CrossEntropyLoss(reduction=r, ignore_index=3, label_smoothing=0.2),
         lambda t, r: t.nn.CrossEntropyLoss(reduction=r, ignore_index=3, label_smoothing=0.2),
         SCORES, CLASSES, False),
        ("cross_entropy_spatial", lambda r: nn.CrossEntropyLoss(reduction=r),
         lambda t, r: t.nn.CrossEntropyLoss(reduction=r), SCORES.reshape(2, 4, 3),
         np.array([[0, 3, 1], [2, 2, 0]]), False),
        ("cross_entropy_unbatched", lambda r: nn.CrossEntropyLoss(reduction=r),
         lambda t, r: t.nn.CrossEntropyLoss(reduction=r), SCORES[0], np.array(2), False),
        ("nll", lambda r: nn.NLLLoss(reduction=r, ignore_index=1),
         lambda t, r: t.nn.NLLLoss(reduction=r, ignore_index=1), -PROBS, CLASSES, False),
        # per-class weights: 'mean' is sum_n w[y_n] l_n / sum_n w[y_n]
        ("nll_weight", lambda r: nn.NLLLoss(tl.tensor(CLASS_W), reduction=r, ignore_index=1),
         lambda t, r: t.nn.NLLLoss(t.tensor(CLASS_W), reduction=r, ignore_index=1), -PROBS,
         CLASSES, False),
        ("cross_entropy_weight", lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r), SCORES, CLASSES,
         False),
        ("cross_entropy_weight_ignore_smooth",
         lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r, ignore_index=3,
                                       label_smoothing=0.2),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r, ignore_index=3,
                                            label_smoothing=0.2), SCORES, CLASSES, False),
        ("cross_entropy_weight_spatial",
         lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r, label_smoothing=0.1),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r,
                                            label_smoothing=0.1),
         SCORES.reshape(2, 4, 3), np.array([[0, 3, 1], [2, 2, 0]]), False),
        ("cross_entropy_weight_unbatched",
         lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r, label_smoothing=0.1),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r,
                                            label_smoothing=0.1), SCORES[0], np.array(2), False),
        # class-probability targets (float, the input's shape); differentiable in the target
        ("cross_entropy_probs", lambda r: nn.CrossEntropyLoss(reduction=r),
         lambda t, r: t.nn.CrossEntropyLoss(reduction=r), SCORES, SOFT, True),
        ("cross_entropy_probs_weight_smooth",
         lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r, label_smoothing=0.3),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r,
                                            label_smoothing=0.3), SCORES, SOFT, True),
        ("cross_entropy_probs_spatial",
         lambda r: nn.CrossEntropyLoss(tl.tensor(CLASS_W), reduction=r, label_smoothing=0.1),
         lambda t, r: t.nn.CrossEntropyLoss(t.tensor(CLASS_W), reduction=r,
                                            label_smoothing=0.1),
         SCORES.reshape(2, 4, 3), SOFT.reshape(2, 4, 3), True),
        # elementwise weights rescale each term; 'mean' stays the plain mean
        ("bce_weight", lambda r: nn.BCELoss(tl.tensor(CLASS_W), reduction=r),
         lambda t, r: t.nn.BCELoss(t.tensor(CLASS_W), reduction=r), PROBS, LABELS, False),
        ("bce_logits_weight_pos_weight",
         lambda r: nn.BCEWithLogitsLoss(tl.tensor(ROW_W), reduction=r,
                                        pos_weight=tl.tensor(CLASS_W)),
         lambda t, r: t.nn.BCEWithLogitsLoss(t.tensor(ROW_W), reduction=r,
                                             pos_weight=t.tensor(CLASS_W)),
         SCORES, LABELS, False),
    ]


CASES = {c[0]: c[1:] for c in _cases()}


def _target(array, differentiable):
    if array.dtype.kind == "i":
        return tl.tensor(array)
    return tl.tensor(array, requires_grad=differentiable)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name, reduction):
    torch = pytest.importorskip("torch")
    ours, theirs, x_np, y_np, y_diff = CASES[name]
    x, y = tl.tensor(x_np, requires_grad=True), _target(y_np, y_diff)
    tx = torch.tensor(x_np, requires_grad=True)
    ty = torch.tensor(y_np, requires_grad=y_diff)
    out, tout = ours(reduction)(x, y), theirs(torch, reduction)(tx, ty)
    np.testing.assert_allclose(out._data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = np.random.default_rng(1).standard_normal(out.shape)
    (out * tl.tensor(weights)).sum().backward()
    (tout * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad._data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    if y_diff:
        np.testing.assert_allclose(y.grad._data, ty.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    ours, _, x_np, y_np, y_diff = CASES[name]
    loss = ours("mean")
    x, y = tl.tensor(x_np, requires_grad=True), _target(y_np, y_diff)
    assert tl.gradcheck(lambda a, b: loss(a, b), [x, y])


def test_sigmoid_bce_gradient_is_a_minus_y():
    """The lecture's hand-derived rule: for a = sigmoid(z), dL/dz = (a - y) / m."""
    z = tl.tensor(SCORES, requires_grad=True)
    y = tl.tensor(LABELS)
    a = z.sigmoid()
    nn.BCELoss()(a, y).backward()
    np.testing.assert_allclose(z.grad._data, (a._data - LABELS) / LABELS.size, rtol=1e-9)
    z2 = tl.tensor(SCORES, requires_grad=True)
    nn.BCEWithLogitsLoss()(z2, y).backward()
    np.testing.assert_allclose(z2.grad._data, z.grad._data, rtol=1e-9)


@pytest.mark.parametrize("dtype", [tl.float32, tl.float64])
def test_stable_at_extreme_inputs(dtype):
    logits = tl.tensor([[-1e4, 1e4], [1e4, -1e4]], dtype=dtype, requires_grad=True)
    labels = tl.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=dtype)
    loss = nn.BCEWithLogitsLoss()(logits, labels)
    np.testing.assert_allclose(loss.item(), (1e4 + 1e4) / 4, rtol=1e-6)
    loss.backward()
    assert np.isfinite(logits.grad._data).all()
    scores = tl.tensor([[1e4, -1e4, 0.0]], dtype=dtype, requires_grad=True)
    ce = nn.CrossEntropyLoss()(scores, tl.tensor([1]))
    np.testing.assert_allclose(ce.item(), 2e4, rtol=1e-6)
    ce.backward()
    np.testing.assert_allclose(scores.grad._data, [[1.0, -1.0, 0.0]], atol=1e-6)
    probs = tl.tensor([0.0, 1.0, 1.0], dtype=dtype, requires_grad=True)
    bce = nn.BCELoss(reduction="none")(probs, tl.tensor([1.0, 1.0, 0.0], dtype=dtype))
    np.testing.assert_allclose(bce._data, [100.0, 0.0, 100.0])   # log clamped at -100
    bce.sum().backward()
    assert np.isfinite(probs.grad._data).all()


def test_errors_name_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"MSELoss\): input shape \(3, 2\) and target shape "
                                         r"\(3,\) differ"):
        nn.MSELoss()(tl.zeros(3, 2), tl.zeros(3))
    with pytest.raises(TypeError, match=r"CrossEntropyLoss\): target must hold class indices "
                                        r"\(int64\) of shape \(4,\), got float32"):
        nn.CrossEntropyLoss()(tl.zeros(4, 3), tl.zeros(4))
    with pytest.raises(ValueError, match=r"CrossEntropyLoss\): target shape \(5,\) does not fit "
                                         r"input shape \(4, 3\); expected \(4,\)"):
        nn.CrossEntropyLoss()(tl.zeros(4, 3), tl.tensor([0, 1, 2, 0, 1]))
    with pytest.raises(IndexError, match=r"target holds class 3, outside \[0, 3\)"):
        nn.NLLLoss()(tl.zeros(2, 3), tl.tensor([0, 3]))
    with pytest.raises(ValueError, match="BCELoss\\): input must hold probabilities in"):
        nn.BCELoss()(tl.tensor([1.5]), tl.tensor([1.0]))
    with pytest.raises(TypeError, match="BCEWithLogitsLoss\\): target must be floating point"):
        nn.BCEWithLogitsLoss()(tl.zeros(2), tl.tensor([0, 1]))
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\)"):
        nn.L1Loss(reduction="avg")


def test_all_ignored_mean_is_nan_like_pytorch():
    out = F.cross_entropy(tl.zeros(2, 3), tl.tensor([-100, -100]))
    assert np.isnan(out.item())


def test_penalties():
    a = nn.Parameter(np.array([1.0, -2.0]))
    b = nn.Parameter(np.array([[3.0]]))
    l1, l2 = nn.l1_penalty([a, b]), nn.l2_penalty(iter([a, b]))
    assert l1.item() == 6.0 and l2.item() == 14.0
    (0.5 * l2 + l1).backward()       # d/dw of (1/2) w^2 + |w| = w + sign(w)
    np.testing.assert_allclose(a.grad._data, [2.0, -3.0])
    np.testing.assert_allclose(b.grad._data, [[4.0]])
    with pytest.raises(ValueError, match="l2_penalty: no parameters given"):
        nn.l2_penalty([])


def test_weight_errors_and_buffer():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss\): weight must hold one value per "
                                         r"class, shape \(3,\) for input shape \(4, 3\); got "
                                         r"shape \(2,\)"):
        nn.CrossEntropyLoss(tl.ones(2))(tl.zeros(4, 3), tl.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"BCELoss\): weight of shape \(3,\) does not "
                                         r"broadcast to the input shape \(2, 2\)"):
        nn.BCELoss(tl.ones(3))(tl.full((2, 2), 0.5), tl.ones(2, 2))
    with pytest.raises(ValueError, match="ignore_index=0 is not supported with "
                                         "class-probability targets"):
        F.cross_entropy(tl.zeros(2, 3), tl.zeros(2, 3), ignore_index=0)
    with pytest.raises(TypeError, match="holds class probabilities and must be floating"):
        F.cross_entropy(tl.zeros(2, 3), tl.zeros(2, 3).long())
    # the weight is a buffer, as PyTorch's register_buffer("weight", ...)
    loss = nn.CrossEntropyLoss(tl.tensor(CLASS_W))
    assert list(loss.state_dict()) == ["weight"]
    assert loss.double().weight.dtype == np.float64


def test_class_weights_gradcheck_and_zero_weight_sum_is_nan():
    """The weighted mean is differentiable in the weights too (PyTorch's is not)."""
    x, y = tl.tensor(SCORES), tl.tensor(CLASSES)
    w = tl.tensor(CLASS_W, requires_grad=True)
    assert tl.gradcheck(lambda w: F.cross_entropy(x, y, w, ignore_index=3,
                                                  label_smoothing=0.2), [w])
    assert tl.gradcheck(lambda w: F.nll_loss(-x.abs(), y, w), [w])
    zero = F.nll_loss(x[:2], tl.tensor([1, 1]), tl.tensor([1.0, 0.0, 1.0, 1.0]))
    assert np.isnan(zero.item())             # sum of the picked weights is 0: 0/0, as PyTorch
