"""What `fit` tells the user: EarlyStopping says when and why it stopped and which epoch's
weights it restored (verbose=True by default, silent with verbose=False); the progress bar is
drawn on a terminal and left out when the output goes to a file or a log."""
import io

import numpy as np

import nn
import optim
import tinygrad_lite as tl
from tinygrad_lite.data import DataLoader, TensorDataset, make_moons
from tinygrad_lite.train import EarlyStopping, fit


def moons(flip=False):
    X, y = make_moons(64, noise=0.1, seed=0)
    y = (1 - y) if flip else y
    return DataLoader(TensorDataset(X, y.reshape(-1, 1).astype(np.float32)), batch_size=16)


def train(callbacks, epochs=30, progress=False):
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1))
    # validating on flipped labels: the better the model learns, the worse val_loss gets
    return fit(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.05),
               moons(), epochs, val_loader=moons(flip=True), callbacks=callbacks,
               progress=progress)


def test_early_stopping_says_when_why_and_what_it_restored(capsys):
    stopper = EarlyStopping(patience=3)
    history = train([stopper])
    out = capsys.readouterr().out
    best = int(np.argmin(history["val_loss"])) + 1
    assert stopper.stopped_epoch == history.epochs[-1] == best + 3
    assert (f"EarlyStopping: stopped after epoch {best + 3}: val_loss has not improved by "
            f"more than min_delta=0.0 for 3 epochs (best "
            f"{min(history['val_loss']):.4g} at epoch {best})") in out
    assert f"EarlyStopping: restored the weights of epoch {best} (val_loss" in out


def test_early_stopping_reports_a_restore_without_a_stop_and_can_be_silent(capsys):
    stopper = EarlyStopping(patience=100)
    train([stopper], epochs=5)
    out = capsys.readouterr().out
    assert stopper.stopped_epoch is None and "stopped after" not in out
    assert f"restored the weights of epoch {stopper.best_epoch}" in out
    train([EarlyStopping(patience=1, verbose=False)], epochs=5)
    assert capsys.readouterr().out == ""


def test_accuracy_monitor_reports_the_best_accuracy(capsys):
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, restore_best=False)
    stopper.on_train_begin()
    for epoch, accuracy in enumerate([0.5, 0.7, 0.6, 0.65], 1):
        stopper.on_epoch_end(epoch, {"val_accuracy": accuracy})
    assert "val_accuracy has not improved by more than min_delta=0.0 for 2 epochs (best " \
           "0.7 at epoch 2)" in capsys.readouterr().out


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch):
    log = io.StringIO()                          # output redirected to a file or a CI log
    monkeypatch.setattr("sys.stderr", log)
    train([], epochs=2, progress=True)
    assert log.getvalue() == ""
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    train([], epochs=2, progress=True)
    assert "epoch 2/2" in terminal.getvalue()
