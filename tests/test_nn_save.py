"""nn.save / nn.load: safetensors round trips, PyTorch interop in both directions, and
errors for missing, truncated, corrupted and foreign files that name the path."""
import pickle

import numpy as np
import pytest

import nn
import tinygrad_lite as tl


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 8), nn.PReLU(), nn.Linear(8, 3))
        self.register_buffer("steps", tl.tensor(7))

    def forward(self, x):
        return self.body(x)


def test_round_trip_keeps_values_and_dtypes(tmp_path):
    model = Model()
    path = tmp_path / "model.safetensors"
    nn.save(model, path)                                      # pathlib paths work
    state = nn.load(str(path))
    assert set(state) == set(model.state_dict())
    assert state["steps"].dtype == tl.int64 and state["steps"].item() == 7
    assert state["body.0.weight"].dtype == tl.float32
    other = Model()
    other.load_state_dict(state)
    x = tl.randn(2, 4)
    np.testing.assert_array_equal(other(x)._data, model(x)._data)
    nn.save({"w": tl.ones(2, dtype=tl.float64), "a": np.arange(3)}, path)  # plain dicts too
    loaded = nn.load(path)
    assert loaded["w"].dtype == tl.float64 and loaded["a"].tolist() == [0, 1, 2]


def test_pytorch_reads_our_file_and_we_read_theirs(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file

    def twin():
        return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.PReLU(),
                                   torch.nn.Linear(8, 3))
    ours = Model().body
    nn.save(ours, tmp_path / "ours.safetensors")
    theirs = twin()
    theirs.load_state_dict(load_file(tmp_path / "ours.safetensors"))   # strict by default
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    np.testing.assert_allclose(theirs(torch.tensor(x)).detach().numpy(),
                               ours(tl.tensor(x))._data, rtol=1e-5, atol=1e-6)
    trained = twin()
    save_file(trained.state_dict(), tmp_path / "theirs.safetensors")
    ours.load_state_dict(nn.load(tmp_path / "theirs.safetensors"))
    np.testing.assert_allclose(ours(tl.tensor(x))._data,
                               trained(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_load_into_a_different_model_lists_the_keys(tmp_path):
    nn.save(Model(), tmp_path / "m.safetensors")
    wrong = nn.Sequential(nn.Linear(4, 8))
    with pytest.raises(RuntimeError, match=r"missing key\(s\): 0.weight, 0.bias"):
        wrong.load_state_dict(nn.load(tmp_path / "m.safetensors"))


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.safetensors"
    with pytest.raises(FileNotFoundError, match="load: no such file: .*nope.safetensors"):
        nn.load(path)


def test_truncated_corrupted_and_foreign_files(tmp_path):
    path = tmp_path / "model.safetensors"
    nn.save(Model(), path)
    raw = path.read_bytes()
    bad_files = {"truncated": raw[:-7], "header_only": raw[:20], "empty": b"",
                 "garbage_header": b"\xff" * 8 + raw[8:]}
    for name, content in bad_files.items():
        bad = tmp_path / f"{name}.safetensors"
        bad.write_bytes(content)
        with pytest.raises(ValueError, match=f"load: .*{name}.safetensors.* is not a "
                                             "readable safetensors file"):
            nn.load(bad)
    pickled = tmp_path / "model.pt"
    pickled.write_bytes(pickle.dumps({"w": np.zeros(3)}))
    with pytest.raises(ValueError, match=r"model.pt.*saved in another format"):
        nn.load(pickled)


def test_save_takes_numbers_but_rejects_other_entries(tmp_path):
    nn.save({"lr": 0.1}, tmp_path / "x.safetensors")
    assert nn.load(tmp_path / "x.safetensors") == {"lr": 0.1}
    with pytest.raises(TypeError, match=r"obj\['ids'\] is a set"):
        nn.save({"ids": {1, 2}}, tmp_path / "x.safetensors")


def _lecture_cnn(m):
    """The lecture's CNN (unit 4), shrunk: two conv blocks and a linear head."""
    def block(c_in, c_out):
        return m.Sequential(m.Conv2d(c_in, c_out, kernel_size=5, stride=1, padding=2),
                            m.BatchNorm2d(num_features=c_out, momentum=0.1), m.LeakyReLU(),
                            m.MaxPool2d(kernel_size=2, stride=2))
    return m.Sequential(block(3, 4), block(4, 8), m.Flatten(), m.Linear(2 * 2 * 8, 10))


def test_lecture_cnn_state_dict_moves_to_pytorch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file
    ours, theirs = _lecture_cnn(nn), _lecture_cnn(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())   # incl. num_batches_tracked
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
    ours(tl.tensor(x))                                  # one training step of statistics
    nn.save(ours, tmp_path / "cnn.safetensors")
    theirs.load_state_dict(load_file(tmp_path / "cnn.safetensors"))
    ours.eval(), theirs.eval()
    np.testing.assert_allclose(ours(tl.tensor(x))._data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)
    save_file(theirs.state_dict(), tmp_path / "back.safetensors")
    again = _lecture_cnn(nn)
    again.load_state_dict(nn.load(tmp_path / "back.safetensors"))
    assert again.state_dict()["0.1.num_batches_tracked"].item() == 1


def test_torch_style_save_and_load_through_tl(tmp_path):
    import tinygrad_lite as torch       # the `torch.save(model.state_dict(), PATH)` habit
    model = nn.Linear(3, 2)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    other = nn.Linear(3, 2)
    other.load_state_dict(torch.load(tmp_path / "model.pt"))
    np.testing.assert_array_equal(other.weight._data, model.weight._data)


def test_load_keeps_the_saved_key_order(tmp_path):
    """safetensors sorts tensors by dtype and name; the order is kept in the metadata."""
    from safetensors import safe_open
    from safetensors.numpy import save_file
    model = Model()
    path = tmp_path / "model.safetensors"
    nn.save(model, path)
    assert list(nn.load(path)) == list(model.state_dict())
    state = {"z": tl.zeros(2), "b": tl.zeros(3, dtype=tl.float64), "a": tl.tensor([1])}
    nn.save(state, path)
    assert list(nn.load(path)) == ["z", "b", "a"]
    with safe_open(str(path), "numpy") as f:
        assert f.metadata() == {"order": '["z", "b", "a"]'}
    # a file without the metadata (or with a stale list) comes back in the file's order
    arrays = {k: v.numpy() for k, v in state.items()}
    save_file(arrays, str(path))
    with safe_open(str(path), "numpy") as f:
        file_order = list(getattr(f, "offset_keys", f.keys)())
    assert list(nn.load(path)) == file_order
    save_file(arrays, str(path), metadata={"order": '["z", "b"]'})
    assert list(nn.load(path)) == file_order
