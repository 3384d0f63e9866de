"""tl.load reads torch.save's zip files without torch and without running their pickle:
files torch writes (skipped without torch), hand-built files laid out like torch's (strided,
offset, shared, big-endian storages), malicious pickles that must be refused without running,
and damaged files whose errors name the path."""
import io
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest

import nn
import tinygrad_lite as tl


# ---- building torch-style files by hand (no torch needed) ---------------------------------
def _str(text):
    data = text.encode()
    return b"X" + struct.pack("<I", len(data)) + data          # BINUNICODE


def _int(n):
    return b"J" + struct.pack("<i", n)                           # BININT


def _tuple(*items):
    return b"(" + b"".join(items) + b"t"                         # MARK ... TUPLE


def tensor_ops(key, numel, offset, size, stride, storage="FloatStorage"):
    """The pickle ops torch writes for one tensor: _rebuild_tensor_v2(persistent storage id,
    offset, size, stride, requires_grad=False, OrderedDict())."""
    storage_id = _tuple(_str("storage"), f"ctorch\n{storage}\n".encode(), _str(key),
                        _str("cpu"), _int(numel)) + b"Q"           # BINPERSID
    hooks = b"ccollections\nOrderedDict\n)R"
    args = _tuple(storage_id, _int(offset), _tuple(*map(_int, size)),
                  _tuple(*map(_int, stride)), b"\x89", hooks)
    return b"ctorch._utils\n_rebuild_tensor_v2\n" + args + b"R"


def dict_pickle(entries):
    """A protocol-2 pickle of {name: ops} (ops already pickled)."""
    items = b"".join(_str(name) + ops for name, ops in entries.items())
    return b"\x80\x02}(" + items + b"u."


def write_archive(path, data_pkl, storages, folder="archive", byteorder="little"):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{folder}/data.pkl", data_pkl)
        if byteorder is not None:
            archive.writestr(f"{folder}/byteorder", byteorder)
        for key, raw in storages.items():
            archive.writestr(f"{folder}/data/{key}", raw)
        archive.writestr(f"{folder}/version", "3\n")


def test_hand_built_strided_offset_and_shared_storages(tmp_path):
    base = np.arange(12, dtype=np.float32)                        # one storage, many views
    entries = {"matrix": tensor_ops("0", 12, 0, (3, 4), (4, 1)),
               "transposed": tensor_ops("0", 12, 0, (4, 3), (1, 4)),
               "slice": tensor_ops("0", 12, 5, (2, 2), (4, 2)),
               "scalar": tensor_ops("0", 12, 11, (), ()),
               "empty": tensor_ops("0", 12, 12, (0, 3), (3, 1)),
               "long": tensor_ops("1", 2, 1, (1,), (1,), storage="LongStorage")}
    for byteorder, folder in (("little", "archive"), ("big", "model"), (None, "old_name")):
        order = ">" if byteorder == "big" else "<"        # no byteorder file: little-endian
        storages = {"0": base.astype(f"{order}f4").tobytes(),
                    "1": np.array([7, -8], f"{order}i8").tobytes()}
        path = tmp_path / f"{folder}.pt"
        write_archive(path, dict_pickle(entries), storages, folder, byteorder)
        state = tl.load(path)
        matrix = base.reshape(3, 4)
        np.testing.assert_array_equal(state["matrix"].numpy(), matrix)
        np.testing.assert_array_equal(state["transposed"].numpy(), matrix.T)
        np.testing.assert_array_equal(state["slice"].numpy(), matrix[1:3, 1::2])
        assert state["scalar"].shape == () and state["scalar"].item() == 11
        assert state["empty"].shape == (0, 3)
        assert state["long"].dtype == tl.int64 and state["long"].tolist() == [-8]
        state["transposed"].numpy()[0, 0] = 100.0                   # copies, not views
        assert state["matrix"].numpy()[0, 0] == 0


def test_layout_outside_the_storage_or_missing_storage_names_the_path(tmp_path):
    raw = np.zeros(4, np.float32).tobytes()
    cases = {"too_far": (tensor_ops("0", 4, 2, (2, 2), (2, 1)), {"0": raw}, "reaches element"),
             "short": (tensor_ops("0", 8, 0, (8,), (1,)), {"0": raw}, "has 16 bytes"),
             "missing": (tensor_ops("9", 4, 0, (4,), (1,)), {"0": raw}, "KeyError"),
             "negative": (tensor_ops("0", 4, 3, (2,), (-1,)), {"0": raw}, "bad tensor layout")}
    for name, (ops, storages, reason) in cases.items():
        path = tmp_path / f"{name}.pt"
        write_archive(path, dict_pickle({"w": ops}), storages)
        with pytest.raises(ValueError, match=f"load: .*{name}.pt.* cannot be read: .*{reason}"):
            tl.load(path)


def test_truncated_and_broken_zips_name_the_path(tmp_path):
    path = tmp_path / "model.pt"
    write_archive(path, dict_pickle({"w": tensor_ops("0", 2, 0, (2,), (1,))}),
                  {"0": np.ones(2, np.float32).tobytes()})
    raw = path.read_bytes()
    for name, content in {"truncated": raw[:len(raw) // 2], "cut_pickle": None,
                          "no_data_pkl": None}.items():
        bad = tmp_path / f"{name}.pt"
        if content is not None:
            bad.write_bytes(content)
        elif name == "cut_pickle":
            write_archive(bad, dict_pickle({"w": tensor_ops("0", 2, 0, (2,), (1,))})[:30],
                          {"0": np.ones(2, np.float32).tobytes()})
        else:
            with zipfile.ZipFile(bad, "w") as archive:
                archive.writestr("archive/data/0", b"")
        with pytest.raises(ValueError, match=f"load: .*{name}.pt.* looks like a PyTorch"):
            tl.load(bad)


# ---- malicious files: refused, and the payload never runs ---------------------------------
class Payload:
    """Unpickling this calls `function(*args)`: how a pickle runs code."""

    def __init__(self, function, *args):
        self.function, self.args = function, args

    def __reduce__(self):
        return self.function, self.args


@pytest.mark.parametrize("make, global_name", [
    (lambda marker: Payload(os.system, f"touch {marker}"), r"(posix|nt)\.system"),
    (lambda marker: Payload(exec, f"open({str(marker)!r}, 'w').close()"),
     r"(__builtin__|builtins)\.exec"),                     # protocol 2 writes __builtin__
    (lambda marker: {"weight": [1.0], "extra": Payload(open, str(marker), "w")},
     r"(__builtin__|builtins|io)\.open")], ids=["os.system", "exec", "open-inside-a-dict"])
def test_a_malicious_pickle_is_refused_and_does_not_run(tmp_path, make, global_name):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    write_archive(path, pickle.dumps(make(marker), protocol=2), {})
    with pytest.raises(pickle.UnpicklingError,
                       match=f"load: .*evil.pt.* is not a plain weights file: its pickle names "
                             f"the global {global_name}, .*nothing from the file was run"):
        tl.load(path)
    assert not marker.exists()


# ---- files written by PyTorch itself ------------------------------------------------------
def test_pytorch_state_dict_with_batchnorm_loads_into_our_model(tmp_path):
    torch = pytest.importorskip("torch")

    def net(m):
        return m.Sequential(m.Linear(3, 4), m.BatchNorm1d(4), m.ReLU(), m.Linear(4, 2))
    theirs = net(torch.nn)
    theirs(torch.randn(8, 3))                                   # running stats move
    torch.save(theirs.state_dict(), tmp_path / "model.pt")
    state = tl.load(tmp_path / "model.pt")
    assert list(state) == list(theirs.state_dict())
    for name, value in theirs.state_dict().items():
        assert isinstance(state[name], tl.Tensor)
        np.testing.assert_array_equal(state[name].numpy(), value.numpy(), err_msg=name)
    assert state["1.num_batches_tracked"].dtype == tl.int64
    assert state["1.num_batches_tracked"].item() == 1
    ours = net(nn)
    ours.load_state_dict(state)
    ours.eval(), theirs.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(tl.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_pytorch_views_shared_storage_dtypes_and_nesting(tmp_path):
    torch = pytest.importorskip("torch")
    base = torch.arange(24, dtype=torch.float64).reshape(4, 6)
    obj = {"transposed": base.t(), "slice": base[1:3, ::2], "row": base[2],
           "float16": torch.tensor([0.5, -2.0], dtype=torch.float16),
           "bfloat16": torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
           "uint16": torch.tensor([1, 65535], dtype=torch.uint16),
           "int8": torch.tensor([-3, 4], dtype=torch.int8), "flags": torch.tensor([True, False]),
           "param": torch.nn.Parameter(torch.ones(2)),
           "nested": [(base[0, :2], 3), {"epoch": 5, "lr": 0.1, "name": "run", "none": None}]}
    buffer = io.BytesIO()                                        # a file object: "archive/"
    torch.save(obj, buffer)
    path = tmp_path / "checkpoint.bin"                           # not .pt: found by magic
    path.write_bytes(buffer.getvalue())
    back = tl.load(path)
    expected = base.numpy()
    np.testing.assert_array_equal(back["transposed"].numpy(), expected.T)
    np.testing.assert_array_equal(back["slice"].numpy(), expected[1:3, ::2])
    np.testing.assert_array_equal(back["row"].numpy(), expected[2])
    assert back["transposed"].dtype == tl.float64
    np.testing.assert_array_equal(back["float16"].numpy(), [0.5, -2.0])
    np.testing.assert_array_equal(back["bfloat16"].numpy(), [1.5, -3.0])
    assert back["uint16"].tolist() == [1, 65535] and back["int8"].tolist() == [-3, 4]
    assert back["flags"].tolist() == [True, False]
    assert back["param"].requires_grad and not back["row"].requires_grad
    pair, settings = back["nested"]
    assert isinstance(pair, tuple) and pair[1] == 3 and pair[0].tolist() == [0.0, 1.0]
    assert settings == {"epoch": 5, "lr": 0.1, "name": "run", "none": None}


def test_pytorch_adam_checkpoint_resumes_in_our_adam(tmp_path):
    """torch's optimizer state: int keys, tuples, a `step` tensor (becomes a number)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0, grads = rng.standard_normal(3), rng.standard_normal((6, 3))
    theirs = torch.nn.Parameter(torch.tensor(w0))
    topt = torch.optim.Adam([theirs], lr=0.1, betas=(0.8, 0.9))
    for g in grads[:3]:
        theirs.grad = torch.tensor(g)
        topt.step()
    torch.save({"w": theirs, "optimizer": topt.state_dict()}, tmp_path / "ckpt.pt")
    ckpt = tl.load(tmp_path / "ckpt.pt")
    assert ckpt["optimizer"]["param_groups"][0]["betas"] == (0.8, 0.9)
    ours = tl.tensor(ckpt["w"].detach().numpy(), requires_grad=True)
    import optim
    opt = optim.Adam([ours], lr=0.5)
    opt.load_state_dict(ckpt["optimizer"])
    for g in grads[3:]:
        theirs.grad, ours.grad = torch.tensor(g), tl.tensor(g)
        topt.step()
        opt.step()
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)


def test_truncated_pytorch_file_names_the_path(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(100)}, tmp_path / "model.pt")
    raw = (tmp_path / "model.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(raw[:-200])
    with pytest.raises(ValueError, match=r"load: .*cut.pt.* cannot be read"):
        tl.load(tmp_path / "cut.pt")
