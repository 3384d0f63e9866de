"""Huber, SmoothL1, KLDiv, SoftMargin, MarginRanking, CosineEmbedding, GaussianNLL, PoissonNLL,
MultiLabelSoftMargin and TripletMargin losses: PyTorch parity (values and gradients of every
floating input, all reductions, module and F. forms), gradient checks in float64, errors."""
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
import tinygrad_lite as tl

RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((5, 4)) * 2, RNG.standard_normal((5, 4)) * 2
LABELS = RNG.choice([-1.0, 1.0], 5)
PROBS = RNG.dirichlet(np.ones(4), 5)
LOG_PROBS = np.log(RNG.dirichlet(np.ones(4), 5))
COUNTS = RNG.integers(0, 5, (5, 4)).astype(float)
VAR = RNG.uniform(0.5, 2.0, (5, 4))
MULTI_HOT = (RNG.random((5, 4)) < 0.5).astype(float)

# name, our module args/kwargs = torch's, inputs (arrays; the floats get gradients), kwargs
CASES = [
    ("HuberLoss", {}, (X, Y)),
    ("HuberLoss", {"delta": 0.5}, (X, Y)),
    ("SmoothL1Loss", {"beta": 0.5}, (X, Y)),
    ("SmoothL1Loss", {"beta": 0.0}, (X, Y)),
    ("KLDivLoss", {"reduction": "batchmean"}, (LOG_PROBS, PROBS)),
    ("KLDivLoss", {"log_target": True}, (LOG_PROBS, LOG_PROBS[::-1].copy())),
    ("SoftMarginLoss", {}, (X[:, 0].copy(), LABELS)),
    ("MarginRankingLoss", {"margin": 0.3}, (X[:, 0].copy(), Y[:, 0].copy(), LABELS)),
    ("CosineEmbeddingLoss", {"margin": 0.2}, (X, Y, LABELS)),
    ("CosineEmbeddingLoss", {}, (X[0].copy(), Y[0].copy(), np.array(-1.0))),
    ("GaussianNLLLoss", {}, (X, Y, VAR)),
    ("GaussianNLLLoss", {"full": True}, (X, Y, VAR[:, 0].copy())),
    ("GaussianNLLLoss", {"eps": 0.3}, (X, Y, VAR[:, :1].copy())),
    ("PoissonNLLLoss", {}, (X, COUNTS)),
    ("PoissonNLLLoss", {"log_input": False, "full": True}, (VAR, COUNTS)),
    ("MultiLabelSoftMarginLoss", {}, (X, MULTI_HOT)),
    ("MultiLabelSoftMarginLoss", {"weight": VAR[0].copy()}, (X, MULTI_HOT)),
    ("TripletMarginLoss", {}, (X, Y, X[::-1] + 1.0)),
    ("TripletMarginLoss", {"margin": 2.0, "p": 1.0, "swap": True}, (X, Y, X[::-1] + 1.0)),
    ("TripletMarginLoss", {"p": 3.0}, (X[0].copy(), Y[0].copy(), Y[1].copy())),
]
# the targets of these losses are labels or counts, not differentiated (PyTorch's Stirling
# term has a nan gradient at zero counts, ours is masked out)
LABEL_INPUTS = {"SoftMarginLoss": (1,), "MarginRankingLoss": (2,), "CosineEmbeddingLoss": (2,),
                "MultiLabelSoftMarginLoss": (1,), "PoissonNLLLoss": (1,)}


def _kwargs(kwargs, lib, reduction):
    out = dict(kwargs)
    if "weight" in out:
        out["weight"] = lib.tensor(out["weight"])
    if reduction is not None and not (reduction == "mean" and "reduction" in kwargs):
        out["reduction"] = reduction
    return out


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, kwargs, arrays", CASES)
def test_matches_torch(name, kwargs, arrays, reduction):
    torch = pytest.importorskip("torch")
    fixed = LABEL_INPUTS.get(name, ())
    ours = [tl.tensor(a, requires_grad=i not in fixed) for i, a in enumerate(arrays)]
    theirs = [torch.tensor(a, requires_grad=i not in fixed) for i, a in enumerate(arrays)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # KLDivLoss(reduction='mean') warns on both sides
        out = getattr(nn, name)(**_kwargs(kwargs, tl, reduction))(*ours)
        expected = getattr(torch.nn, name)(**_kwargs(kwargs, torch, reduction))(*theirs)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-14)
    weights = RNG.standard_normal(expected.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for i, (a, b) in enumerate(zip(ours, theirs)):
        if i not in fixed:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-14,
                                       err_msg=f"gradient of input {i}")


@pytest.mark.parametrize("name, kwargs, arrays", CASES)
def test_gradcheck(name, kwargs, arrays):
    fixed = LABEL_INPUTS.get(name, ())
    ins = [tl.tensor(a, requires_grad=i not in fixed) for i, a in enumerate(arrays)]
    loss = getattr(nn, name)(**_kwargs(kwargs, tl, None))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tl.gradcheck(lambda *t: loss(*t), ins)


@pytest.mark.parametrize("fn, args, kwargs", [
    ("huber_loss", (X, Y), {"delta": 2.0}), ("smooth_l1_loss", (X, Y), {"beta": 2.0}),
    ("kl_div", (LOG_PROBS, PROBS), {"reduction": "sum"}),
    ("soft_margin_loss", (X, np.sign(Y)), {}),
    ("margin_ranking_loss", (X, Y, np.sign(Y)), {"margin": 1.0}),
    ("cosine_embedding_loss", (X, Y, LABELS), {}),
    ("gaussian_nll_loss", (X, Y, VAR), {"full": True}),
    ("poisson_nll_loss", (X, COUNTS), {"full": True}),
    ("multilabel_soft_margin_loss", (X, MULTI_HOT), {"reduction": "none"}),
    ("triplet_margin_loss", (X, Y, -X), {"swap": True}),
    ("pairwise_distance", (X, Y), {"p": 1.0})])
def test_functional_matches_torch(fn, args, kwargs):
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(getattr(F, fn)(*map(tl.tensor, args), **kwargs).numpy(),
                               getattr(torch.nn.functional, fn)(*map(torch.tensor, args),
                                                                **kwargs).numpy(), rtol=1e-12)


def test_huber_weight_matches_torch():
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(
        F.huber_loss(tl.tensor(X), tl.tensor(Y), weight=tl.tensor(VAR)).numpy(),
        torch.nn.functional.huber_loss(torch.tensor(X), torch.tensor(Y),
                                       weight=torch.tensor(VAR)).numpy(), rtol=1e-12)


def test_gaussian_var_float_and_clamp():
    """var may be a float; var below eps is clamped in value only, its gradient flows on"""
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(F.gaussian_nll_loss(tl.tensor(X), tl.tensor(Y), 0.5).numpy(),
                               torch.nn.functional.gaussian_nll_loss(
                                   torch.tensor(X), torch.tensor(Y), 0.5).numpy(), rtol=1e-12)
    ours, theirs = tl.tensor(VAR, requires_grad=True), torch.tensor(VAR, requires_grad=True)
    out = F.gaussian_nll_loss(tl.tensor(X), tl.tensor(Y), ours, eps=1.0)
    expected = torch.nn.functional.gaussian_nll_loss(torch.tensor(X), torch.tensor(Y), theirs,
                                                     eps=1.0)
    out.backward()
    expected.backward()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_kl_div_zero_target_probability():
    """y log y = 0 at y = 0; the gradient in the prediction is -y = 0 there"""
    torch = pytest.importorskip("torch")
    probs = PROBS.copy()
    probs[0, 1] = 0.0
    ours, theirs = tl.tensor(LOG_PROBS, requires_grad=True), torch.tensor(LOG_PROBS,
                                                                          requires_grad=True)
    out = F.kl_div(ours, tl.tensor(probs), reduction="sum")
    expected = torch.nn.functional.kl_div(theirs, torch.tensor(probs), reduction="sum")
    out.backward()
    expected.backward()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(tl.tensor(LOG_PROBS), tl.tensor(PROBS))


def test_float32_stays_float32():
    x, y = tl.tensor(X.astype(np.float32)), tl.tensor(Y.astype(np.float32))
    for fn in (F.huber_loss, F.smooth_l1_loss, F.soft_margin_loss, F.poisson_nll_loss):
        assert fn(x, y).dtype == np.float32, fn.__name__


def test_shape_mismatches_name_the_loss():
    a, b = tl.randn(3, 4), tl.randn(3, 5)
    for fn, loss in ((F.huber_loss, "HuberLoss"), (F.smooth_l1_loss, "SmoothL1Loss"),
                     (F.kl_div, "KLDivLoss"), (F.soft_margin_loss, "SoftMarginLoss"),
                     (F.poisson_nll_loss, "PoissonNLLLoss"),
                     (F.multilabel_soft_margin_loss, "MultiLabelSoftMarginLoss")):
        with pytest.raises(ValueError, match=rf"\({loss}\): input shape \(3, 4\) and target "
                                             r"shape \(3, 5\) differ"):
            fn(a, b)
    with pytest.raises(ValueError, match=r"MarginRankingLoss.*input2 shape \(3, 5\)"):
        F.margin_ranking_loss(a, b, a)
    with pytest.raises(ValueError, match=r"CosineEmbeddingLoss.*target \(4,\)"):
        F.cosine_embedding_loss(a, a, tl.ones(4))
    with pytest.raises(ValueError, match=r"TripletMarginLoss.*negative shape \(3, 5\)"):
        F.triplet_margin_loss(a, a, b)
    with pytest.raises(ValueError, match=r"GaussianNLLLoss.*var of shape \(4,\)"):
        F.gaussian_nll_loss(a, a, tl.ones(4))
    with pytest.raises(ValueError, match=r"GaussianNLLLoss.*negative"):
        F.gaussian_nll_loss(a, a, -tl.ones(3, 4))
    with pytest.raises(ValueError, match=r"KLDivLoss: reduction must be one of"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"HuberLoss: reduction must be one of"):
        nn.HuberLoss("avg")
