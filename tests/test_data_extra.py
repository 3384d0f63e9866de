"""tl.data additions: random_split, Subset, ConcatDataset, the samplers, DataLoader's
sampler/batch_sampler/collate_fn options and default_collate, checked against PyTorch."""
import collections

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import (BatchSampler, ConcatDataset, DataLoader, Dataset,
                                RandomSampler, SequentialSampler, Subset, SubsetRandomSampler,
                                TensorDataset, WeightedRandomSampler, default_collate,
                                random_split)

Point = collections.namedtuple("Point", "x label")


def dataset(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


class Samples(Dataset):
    """A map-style dataset returning whatever structure it was given."""

    def __init__(self, samples):
        self.samples = samples

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, i):
        return self.samples[i]


def labels(batches):
    return np.concatenate([y.numpy() for _, y in batches]).tolist()


@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.5]),
                                       (30, [0.3, 0.3, 0.4]), (7, [0.1, 0.2, 0.7]),
                                       (101, [0.8, 0.1, 0.1])])
def test_random_split_lengths_match_pytorch(n, lengths):
    torch = pytest.importorskip("torch")
    ours = random_split(range(n), lengths, generator=np.random.default_rng(0))
    theirs = torch.utils.data.random_split(range(n), lengths)
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    items = sorted(i for subset in ours for i in subset)
    assert items == list(range(n))                                  # disjoint, complete
    assert all(isinstance(s, Subset) for s in ours)


def test_random_split_is_reproducible():
    a = random_split(range(20), [5, 15], generator=np.random.default_rng(42))
    b = random_split(range(20), [5, 15], generator=np.random.default_rng(42))
    assert a[0].indices == b[0].indices and a[1].indices == b[1].indices
    tl.manual_seed(7)
    c = random_split(range(20), [0.25, 0.75])
    tl.manual_seed(7)
    assert random_split(range(20), [0.25, 0.75])[0].indices == c[0].indices
    assert a[0].indices != list(range(5))


def test_random_split_errors_and_warning():
    with pytest.raises(ValueError, match=r"sum of input lengths \[3, 3\] is 6, which does not "
                                         r"equal the length of the input dataset \(10\)"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="fraction at index 0 is -0.5, not between 0 and 1"):
        random_split(range(10), [-0.5, 1.5])
    with pytest.warns(UserWarning, match="length of split at index [12] is 0"):
        parts = random_split(range(2), [0.9, 0.05, 0.05])
    assert [len(p) for p in parts] == [2, 0, 0]


def test_subset_and_concat_dataset_match_pytorch():
    torch = pytest.importorskip("torch")
    sub = Subset(np.arange(10, 18), [5, 1, 3])
    assert len(sub) == 3 and [sub[i] for i in range(3)] == [15, 11, 13]
    assert sub[[0, 2]].tolist() == [15, 13] == \
        torch.utils.data.Subset(np.arange(10, 18), [5, 1, 3])[[0, 2]].tolist()
    parts = [list(range(3)), list(range(10, 15)), [], list(range(20, 22))]
    ours, theirs = ConcatDataset(parts), torch.utils.data.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs) == 10
    assert [ours[i] for i in range(-10, 10)] == [theirs[i] for i in range(-10, 10)]
    with pytest.raises(ValueError, match="absolute value of index -11 should not exceed "
                                         "dataset length 10"):
        ours[-11]
    with pytest.raises(IndexError, match="index 10 is out of range"):
        ours[10]
    with pytest.raises(ValueError, match="should not be an empty iterable"):
        ConcatDataset([])


def test_concat_dataset_in_a_loader():
    ds = ConcatDataset([dataset(4), dataset(3)])
    batches = list(DataLoader(ds, batch_size=3))
    assert labels(batches) == [0, 1, 2, 3, 0, 1, 2]


@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_and_batch_sampler_match_pytorch(drop_last):
    torch = pytest.importorskip("torch")
    ours = list(BatchSampler(SequentialSampler(range(10)), 3, drop_last))
    theirs = list(torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(10)),
                                                3, drop_last))
    assert ours == theirs
    assert len(BatchSampler(SequentialSampler(range(10)), 3, drop_last)) == len(theirs)


def test_random_sampler():
    rng = np.random.default_rng(0)
    order = list(RandomSampler(range(10), generator=rng))
    assert sorted(order) == list(range(10)) and order != list(range(10))
    long = list(RandomSampler(range(4), num_samples=10, generator=rng))
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    drawn = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=rng))
    assert len(drawn) == 50 and set(drawn) == {0, 1, 2}
    assert len(RandomSampler(range(3), num_samples=7)) == 7
    tl.manual_seed(1)
    first = list(RandomSampler(range(30)))
    tl.manual_seed(1)
    assert list(RandomSampler(range(30))) == first
    with pytest.raises(TypeError, match="replacement should be a boolean value"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but "
                                         "got num_samples=0"):
        RandomSampler(range(3), num_samples=0)


def test_subset_random_sampler():
    drawn = list(SubsetRandomSampler([3, 5, 7, 9], generator=np.random.default_rng(1)))
    assert sorted(drawn) == [3, 5, 7, 9]


def test_weighted_random_sampler_draws_in_proportion():
    weights = [1.0, 3.0, 0.0, 6.0]
    draws = list(WeightedRandomSampler(weights, 20000, generator=np.random.default_rng(0)))
    freq = np.bincount(draws, minlength=4) / len(draws)
    np.testing.assert_allclose(freq, [0.1, 0.3, 0.0, 0.6], atol=0.015)
    once = list(WeightedRandomSampler(tl.tensor(weights), 3, replacement=False,
                                      generator=np.random.default_rng(0)))
    assert sorted(once) == [0, 1, 3]
    assert len(WeightedRandomSampler(weights, 5)) == 5


@pytest.mark.parametrize("args,match", [
    (([[1.0, 2.0]], 2), r"weights should be a 1d sequence but given weights have shape "
                        r"\(1, 2\)"),
    (([1.0, 2.0], 0), "num_samples should be a positive integer value"),
    (([1.0, 2.0], True), "num_samples should be a positive integer value"),
    (([1.0, 2.0], 2, "yes"), "replacement should be a boolean value"),
    (([1.0, -2.0], 2), "weights must be finite, >= 0"),
    (([1.0, 0.0, 2.0], 3, False), "can't draw 3 samples without replacement from 2 nonzero"),
])
def test_weighted_random_sampler_errors(args, match):
    with pytest.raises(ValueError, match=match):
        WeightedRandomSampler(*args)


def test_loader_with_sampler_and_batch_sampler():
    ds = dataset(10)
    loader = DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 0, 1, 2, 5])
    assert labels(loader) == [9, 8, 7, 0, 1, 2, 5] and len(loader) == 2
    batches = [[0, 2], [4, 6, 8], [1]]
    loader = DataLoader(ds, batch_sampler=batches)
    assert [y.tolist() for _, y in loader] == batches and len(loader) == 3
    assert loader.batch_size is None
    loader = DataLoader(ds, batch_size=3, shuffle=True, drop_last=True,
                        generator=np.random.default_rng(0))
    assert len(loader) == 3 and len(set(labels(loader))) == 9


@pytest.mark.parametrize("kwargs", [
    dict(sampler=[0, 1], shuffle=True),
    dict(batch_sampler=[[0, 1]], batch_size=4),
    dict(batch_sampler=[[0, 1]], shuffle=True),
    dict(batch_sampler=[[0, 1]], sampler=[0, 1]),
    dict(batch_sampler=[[0, 1]], drop_last=True),
    dict(batch_size=None, drop_last=True),
])
def test_loader_argument_checks_match_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(range(4), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(range(4), **kwargs)
    message = str(theirs.value).split(";")[0]
    assert message.rstrip(".") in str(ours.value)


def assert_same(ours, theirs):
    """Our collated structure equals PyTorch's: types, values and dtypes."""
    torch = pytest.importorskip("torch")
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tl.Tensor)
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            assert_same(ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)) and not isinstance(theirs[0], str):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert list(ours) == list(theirs)


def make_samples(module):
    array = lambda *v: np.array(v, np.float32)                         # noqa: E731
    return [
        [(module.tensor([1.0, 2.0]), 3) for _ in range(2)],
        [(array(1, 2), 0.5, "a"), (array(3, 4), 1.5, "b")],
        [{"image": array(1, 2), "label": 1, "meta": {"id": 7}},
         {"image": array(3, 4), "label": 0, "meta": {"id": 8}}],
        [Point(array(1), 1), Point(array(2), 0)],
        [[1, 2.0], [3, 4.0]],
        [np.float32(1.5), np.float32(2.5)],
        [np.int32(1), np.int32(2)],
        [True, False],
    ]


@pytest.mark.parametrize("case", range(8))
def test_default_collate_matches_pytorch(case):
    torch = pytest.importorskip("torch")
    ours = default_collate(make_samples(tl)[case])
    theirs = torch.utils.data.default_collate(make_samples(torch)[case])
    assert_same(ours, theirs)


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match=r"can't stack Tensors of different shapes "
                                           r"\[\(2,\), \(3,\)\]"):
        default_collate([tl.zeros(2), tl.zeros(3)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal "
                                           r"size, got sizes \[2, 1\]"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object(), object()])


def test_collate_fn_and_the_fast_path_agree():
    ds = dataset(9)
    fast = list(DataLoader(ds, batch_size=4))
    slow = list(DataLoader(ds, batch_size=4, collate_fn=lambda b: default_collate(b)))
    for a, b in zip(fast, slow):
        assert isinstance(a, list) and isinstance(b, list)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.numpy(), y.numpy())
            assert x.dtype == y.dtype
    sub = Subset(Subset(ds, [8, 6, 4, 2, 0]), [4, 0, 2])
    assert labels(DataLoader(sub, batch_size=2)) == [0, 8, 4]
    sizes = list(DataLoader(ds, batch_size=4, collate_fn=len))
    assert sizes == [4, 4, 1]


def test_batch_size_none_yields_single_samples():
    loader = DataLoader(Samples([np.ones(2), np.zeros(2)]), batch_size=None)
    items = list(loader)
    assert len(loader) == 2 and isinstance(items[0], tl.Tensor) and items[0].shape == (2,)


def test_torch_utils_data_names():
    import tinygrad_lite as torch
    for name in ("random_split", "Subset", "ConcatDataset", "WeightedRandomSampler",
                 "RandomSampler", "SequentialSampler", "BatchSampler", "default_collate"):
        assert getattr(torch.utils.data, name) is getattr(tl.data, name)


def test_batch_size_defaults_tl_data_32_and_torch_utils_data_1():
    import tinygrad_lite as tl
    ds = tl.data.TensorDataset(tl.arange(40.0))
    assert len(next(iter(tl.data.DataLoader(ds)))[0]) == 32
    assert len(next(iter(tl.utils.data.DataLoader(ds)))[0]) == 1
    batches = tl.utils.data.DataLoader(ds, batch_sampler=[[0, 1, 2]])
    assert len(next(iter(batches))[0]) == 3
