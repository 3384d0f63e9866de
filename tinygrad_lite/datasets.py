"""MNIST and CIFAR-10 read from files on disk (no download, no unpickling): torchvision's
names, as `tl.data.MNIST` and `tl.data.CIFAR10`.

    train = tl.data.MNIST("data", train=True)        # data/ holds the four MNIST files
    image, label = train[0]                           # (1, 28, 28) float32 in [0, 1], an int
    loader = tl.data.DataLoader(train, batch_size=64, shuffle=True)

MNIST comes as IDX files: a 4-byte magic number (two zero bytes, the type code 0x08 for
unsigned bytes, the number of dimensions), each dimension as a big-endian 32-bit integer,
then the bytes. CIFAR-10's binary version is records of 1 label byte and 3072 pixel bytes
(1024 red, then 1024 green, then 1024 blue, row by row). Its python version is pickles,
which can run code when loaded: it is not read here.
"""
import gzip
import os

import numpy as np

from .data import Dataset
from .tensor import Tensor

MNIST_FILES = {True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
               False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}
CIFAR10_FOLDER = "cifar-10-batches-bin"
CIFAR10_FILES = {True: [f"data_batch_{k}.bin" for k in range(1, 6)], False: ["test_batch.bin"]}
CIFAR10_RECORD = 1 + 3 * 32 * 32


class _ImageDataset(Dataset):
    """Images (uint8 in `self.data`) and integer labels (`self.targets`); sample i is
    (image as float32 Tensor (C, H, W) in [0, 1] - what torchvision's ToTensor gives -
    then `transform` applied if given, label as int)."""

    def __init__(self, data, targets, transform):
        self.data, self.targets, self.transform = data, targets, transform

    def __len__(self):
        return len(self.targets)

    def __getitem__(self, index):
        image = Tensor(self._chw(self.data[index]).astype(np.float32) / 255.0)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])


class MNIST(_ImageDataset):
    """`MNIST(root, train=True, transform=None)`: the 60,000 training or 10,000 test images
    (28x28, grey) of hand-written digits. `root` (or `root/MNIST/raw`, torchvision's layout)
    must hold the IDX files, gzipped or not: train-images-idx3-ubyte, train-labels-idx1-ubyte,
    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte. `data` is uint8 (N, 28, 28)."""

    classes = tuple(str(d) for d in range(10))

    def __init__(self, root, train=True, transform=None):
        images_name, labels_name = MNIST_FILES[bool(train)]
        folder = _mnist_folder(root, (images_name, labels_name))
        images = read_idx(_find(folder, images_name))
        labels = read_idx(_find(folder, labels_name))
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"MNIST: {images_name} holds shape {images.shape} and "
                             f"{labels_name} shape {labels.shape}; expected (N, 28, 28) "
                             "images and N labels")
        super().__init__(images, labels.astype(np.int64), transform)

    @staticmethod
    def _chw(image):
        return image[None]


class CIFAR10(_ImageDataset):
    """`CIFAR10(root, train=True, transform=None)`: the 50,000 training or 10,000 test
    colour images (32x32) in 10 classes, from the *binary* version of CIFAR-10:
    `root/cifar-10-batches-bin/data_batch_1.bin` ... `data_batch_5.bin` and `test_batch.bin`.
    `data` is uint8 (N, 32, 32, 3) as in torchvision, `targets` int64 (N,)."""

    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
               "ship", "truck")

    def __init__(self, root, train=True, transform=None):
        folder = os.path.join(root, CIFAR10_FOLDER)
        names = CIFAR10_FILES[bool(train)]
        missing = [n for n in names if not os.path.isfile(os.path.join(folder, n))]
        if missing:
            raise FileNotFoundError(
                f"CIFAR10: {', '.join(missing)} not found in {folder}. Download the binary "
                f"version of CIFAR-10 (cifar-10-binary.tar.gz, not the python version) and "
                f"unpack it into {root}, so that {folder} holds data_batch_1.bin ... "
                "data_batch_5.bin and test_batch.bin")
        records = np.concatenate([_cifar_records(os.path.join(folder, n)) for n in names])
        images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        super().__init__(np.ascontiguousarray(images), records[:, 0].astype(np.int64),
                         transform)

    @staticmethod
    def _chw(image):
        return image.transpose(2, 0, 1)


def read_idx(path):
    """The array stored in an IDX file (gzipped if the name ends in .gz); unsigned bytes
    only (type code 0x08), which is what MNIST uses."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"read_idx: {path} is not an IDX file (its first two bytes must be "
                         "zero)")
    if raw[2] != 0x08:
        raise ValueError(f"read_idx: {path} holds type code {raw[2]:#04x}; only unsigned "
                         "bytes (0x08), as in MNIST, are read")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">u4"))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise ValueError(f"read_idx: {path} declares shape {shape} ({expected} bytes with the "
                         f"header) but has {len(raw)} bytes; the file is truncated or damaged")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _cifar_records(path):
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size % CIFAR10_RECORD:
        raise ValueError(f"CIFAR10: {path} has {raw.size} bytes, not a whole number of "
                         f"{CIFAR10_RECORD}-byte records (1 label byte + 3072 pixel bytes)")
    return raw.reshape(-1, CIFAR10_RECORD)


def _mnist_folder(root, names):
    """root, or root/MNIST/raw if the files are there instead."""
    for folder in (root, os.path.join(root, "MNIST", "raw")):
        if all(_find(folder, n) for n in names):
            return folder
    raise FileNotFoundError(
        f"MNIST: {names[0]} and {names[1]} (or the same names ending in .gz) not found in "
        f"{root} nor in {os.path.join(root, 'MNIST', 'raw')}. Put the four MNIST files "
        "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
        f"t10k-labels-idx1-ubyte (gzipped or not) in {root}")


def _find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.isfile(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    return None
