"""tl.data.MNIST and tl.data.CIFAR10 read small files written here in the real formats (IDX,
gzipped or not, in root or root/MNIST/raw; CIFAR-10's binary records), give torchvision's
samples, batch through DataLoader, and say which files to put where when they are missing."""
import gzip
import struct

import numpy as np
import pytest

import tinygrad_lite as tl
from tinygrad_lite.data import CIFAR10, MNIST, DataLoader
from tinygrad_lite.datasets import read_idx


def idx_bytes(array):
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(folder, n_train=5, n_test=3, gz=False, seed=0):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for name, array in ((f"{prefix}-images-idx3-ubyte", images),
                            (f"{prefix}-labels-idx1-ubyte", labels)):
            data = idx_bytes(array)
            if gz:
                (folder / (name + ".gz")).write_bytes(gzip.compress(data))
            else:
                (folder / name).write_bytes(data)
        arrays[prefix] = (images, labels)
    return arrays


def write_cifar(root, per_batch=2, seed=0):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True)
    written = {}
    for name in [f"data_batch_{k}.bin" for k in range(1, 6)] + ["test_batch.bin"]:
        labels = rng.integers(0, 10, per_batch, dtype=np.uint8)
        planes = rng.integers(0, 256, (per_batch, 3, 32, 32), dtype=np.uint8)  # R, G, B
        records = np.concatenate([labels[:, None], planes.reshape(per_batch, -1)], axis=1)
        (folder / name).write_bytes(records.tobytes())
        written[name] = (planes, labels)
    return written


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_idx_files(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    train, test = MNIST(tmp_path, train=True), MNIST(tmp_path, train=False)
    assert len(train) == 5 and len(test) == 3
    images, labels = arrays["t10k"]
    np.testing.assert_array_equal(test.data, images)
    np.testing.assert_array_equal(test.targets, labels)
    image, label = test[2]
    assert isinstance(image, tl.Tensor) and image.shape == (1, 28, 28) and image.dtype == tl.float32
    np.testing.assert_allclose(image.numpy()[0], images[2] / 255.0, rtol=1e-6)
    assert label == int(labels[2]) and isinstance(label, int)


def test_mnist_torchvision_layout_transform_and_loader(tmp_path):
    arrays = write_mnist(tmp_path / "MNIST" / "raw", n_train=7)
    train = MNIST(tmp_path, transform=lambda x: x * 2 - 1)
    batches = list(DataLoader(train, batch_size=4))
    assert [tuple(b[0].shape) for b in batches] == [(4, 1, 28, 28), (3, 1, 28, 28)]
    np.testing.assert_array_equal(batches[1][1].numpy(), arrays["train"][1][4:])
    np.testing.assert_allclose(batches[0][0].numpy()[0, 0], arrays["train"][0][0] / 127.5 - 1,
                               rtol=1e-5, atol=1e-6)


def test_cifar10_reads_binary_records(tmp_path):
    written = write_cifar(tmp_path)
    train, test = CIFAR10(tmp_path), CIFAR10(tmp_path, train=False)
    assert len(train) == 10 and len(test) == 2 and train.data.shape == (10, 32, 32, 3)
    planes, labels = written["data_batch_3.bin"]
    image, label = train[5]                                # batch 3, second record
    assert image.shape == (3, 32, 32) and label == int(labels[1])
    np.testing.assert_allclose(image.numpy(), planes[1] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(train.data[5][..., 0], planes[1][0])    # red plane, HWC
    np.testing.assert_array_equal(test.targets, written["test_batch.bin"][1])


def test_missing_files_say_which_files_go_where(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"MNIST: train-images-idx3-ubyte.*t10k-labels"
                                                r"-idx1-ubyte \(gzipped or not\) in"):
        MNIST(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"CIFAR10: data_batch_1.bin.*binary version.*"
                                                r"not the python version"):
        CIFAR10(tmp_path)


def test_damaged_files_are_refused_with_the_reason(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated"):
        MNIST(tmp_path)
    path.write_bytes(b"\x01\x02\x08\x03")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)
    path.write_bytes(bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 1) + b"\0\0\0\0")
    with pytest.raises(ValueError, match="only unsigned bytes"):
        read_idx(path)
    write_cifar(tmp_path / "c")
    with open(tmp_path / "c" / "cifar-10-batches-bin" / "test_batch.bin", "ab") as f:
        f.write(b"\0" * 5)
    with pytest.raises(ValueError, match="not a whole number of 3073-byte records"):
        CIFAR10(tmp_path / "c", train=False)
