"""tl.data: TensorDataset, DataLoader batching and shuffling, toy data sets, splitting."""
import sys

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import (DataLoader, TensorDataset, load_digits, make_moons,
                                make_spirals, train_test_split)


def dataset(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


def test_tensor_dataset_indexes_every_tensor():
    ds = dataset()
    assert len(ds) == 10
    x, y = ds[3]
    assert isinstance(x, tl.Tensor) and x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(ValueError, match=r"same first dimension.*\[10, 9\]"):
        TensorDataset(tl.zeros(10, 2), tl.zeros(9))


@pytest.mark.parametrize("drop_last,sizes", [(False, [3, 3, 3, 1]), (True, [3, 3, 3])])
def test_batches_in_order(drop_last, sizes):
    loader = DataLoader(dataset(), batch_size=3, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(sizes) and [len(x) for x, _ in batches] == sizes
    assert all(isinstance(t, tl.Tensor) for batch in batches for t in batch)
    ys = np.concatenate([y.numpy() for _, y in batches])
    np.testing.assert_array_equal(ys, np.arange(sum(sizes)))
    x, y = batches[1]
    np.testing.assert_array_equal(x.numpy()[:, 0], 2 * y.numpy())   # rows stay paired


def test_batch_size_one_and_whole_set():
    assert len(list(DataLoader(dataset(), batch_size=1))) == 10        # stochastic GD
    (x, y), = list(DataLoader(dataset(), batch_size=10))              # batch GD
    assert x.shape == (10, 2)


def test_shuffle_is_a_new_permutation_each_epoch_and_reproducible():
    loader = DataLoader(dataset(50), batch_size=8, shuffle=True)
    tl.manual_seed(3)
    first = np.concatenate([y.numpy() for _, y in loader])
    second = np.concatenate([y.numpy() for _, y in loader])
    tl.manual_seed(3)
    again = np.concatenate([y.numpy() for _, y in loader])
    assert sorted(first) == list(range(50)) and not np.array_equal(first, np.arange(50))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)


def test_any_dataset_with_len_and_getitem_is_stacked():
    samples = [(np.full(3, i, np.float32), i % 2) for i in range(5)]
    batches = list(DataLoader(samples, batch_size=2))
    x, y = batches[0]
    assert x.shape == (2, 3) and y.tolist() == [0, 1] and len(batches) == 3


def test_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        DataLoader(dataset(), batch_size=0)


def test_make_moons_shapes_classes_and_geometry():
    X, y = make_moons(301, noise=0.0, seed=0)
    assert X.shape == (301, 2) and X.dtype == np.float32 and y.dtype == np.int64
    assert (y == 0).sum() == 150 and (y == 1).sum() == 151
    outer, inner = X[y == 0].astype(np.float64), X[y == 1] - np.float32([1.0, 0.5])
    np.testing.assert_allclose(np.hypot(*outer.T), 1, atol=1e-6)
    np.testing.assert_allclose(np.hypot(*inner.T), 1, atol=1e-6)
    assert (outer[:, 1] >= -1e-7).all() and (inner[:, 1] <= 1e-7).all()
    assert not np.array_equal(y[:10], np.zeros(10))                     # shuffled


def test_make_moons_matches_scikit_learn_up_to_order():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = make_moons(100, noise=0.0, seed=0)
    Xs, ys = datasets.make_moons(100, noise=0.0, random_state=0)
    key = np.lexsort((y, X[:, 1], X[:, 0])), np.lexsort((ys, Xs[:, 1], Xs[:, 0]))
    np.testing.assert_allclose(X[key[0]], Xs[key[1]], atol=1e-6)
    np.testing.assert_array_equal(y[key[0]], ys[key[1]])


def test_data_sets_are_reproducible():
    np.testing.assert_array_equal(make_moons(seed=5)[0], make_moons(seed=5)[0])
    assert not np.array_equal(make_moons(seed=5)[0], make_moons(seed=6)[0])
    tl.manual_seed(1)
    a = make_spirals()
    tl.manual_seed(1)
    np.testing.assert_array_equal(a[0], make_spirals()[0])
    assert make_moons()[0].shape == (300, 2)                             # no arguments


@pytest.mark.parametrize("n_classes", [2, 3])
def test_make_spirals(n_classes):
    X, y = make_spirals(301, n_classes=n_classes, noise=0.0, seed=0)
    assert X.shape == (301, 2) and X.dtype == np.float32 and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1
    r = np.hypot(*X.T.astype(np.float64))
    assert r.max() == pytest.approx(1.0) and r.min() == 0.0
    # on arm k the angle is 2πk/K + 4r (no noise): check it for the class-1 points
    arm = y == 1
    angle = np.arctan2(X[arm, 0], X[arm, 1]) - (2 * np.pi / n_classes + 4 * r[arm])
    np.testing.assert_allclose(np.cos(angle[r[arm] > 0.1]), 1, atol=1e-5)
    with pytest.raises(ValueError, match="n_classes must be an int >= 2"):
        make_spirals(n_classes=1)


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.dtype == np.int64
    assert X.max() == 16 and set(np.unique(y)) == set(range(10))


def test_load_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*digits"):
        load_digits()


def test_train_test_split():
    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    X_train, X_test, y_train, y_test = train_test_split(X, y, seed=0)
    assert len(X_test) == 5 and len(X_train) == 15                      # ceil(0.25 * 20)
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_test])), y)
    np.testing.assert_array_equal(train_test_split(X, y, seed=0)[3], y_test)
    assert len(train_test_split(X, y, test_size=0.33)[1]) == 7
    assert len(train_test_split(X, y, test_size=3)[1]) == 3
    xt = train_test_split(tl.tensor(X), y, seed=0)[0]
    assert isinstance(xt, tl.Tensor) and xt.tolist() == X_train.tolist()


@pytest.mark.parametrize("kwargs,match", [
    (dict(test_size=1.0), "fraction in"), (dict(test_size=20), "count in"),
    (dict(test_size=0), "fraction in")])
def test_train_test_split_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        train_test_split(np.zeros((20, 2)), np.zeros(20), **kwargs)
    with pytest.raises(ValueError, match="X has 20 samples but y has 19"):
        train_test_split(np.zeros((20, 2)), np.zeros(19))


def test_torch_utils_data_names_and_a_custom_dataset():
    import tinygrad_lite as torch           # as PyTorch code imports it

    class Squares(torch.utils.data.Dataset):
        def __len__(self):
            return 10

        def __getitem__(self, i):
            return torch.tensor(float(i)), torch.tensor(float(i * i))

    loader = torch.utils.data.DataLoader(Squares(), batch_size=4, shuffle=False, num_workers=2)
    batches = list(loader)
    assert [x.tolist() for x, _ in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[1][1].tolist() == [16, 25, 36, 49]
    with pytest.raises(NotImplementedError, match="define __len__"):
        len(torch.utils.data.Dataset())
