"""`fit`: the lecture's training loop, with a history, callbacks and early stopping.

    history = tl.train.fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
                           train_loader, epochs=20, val_loader=val_loader,
                           callbacks=[tl.train.EarlyStopping(patience=3)])
    history.plot("curves.png")

Each epoch: `model.train()`, then for every batch zero_grad, loss = loss_fn(model(x), y),
backward, step; then, if there is a val_loader, `model.eval()` and the same loss under
`no_grad`. Watch the loss (not going down: stuck), the accuracy (loss down but accuracy flat:
learning the wrong thing) and train vs validation (diverging: overfitting) - lecture Unit 3.
"""
import math
import sys

import numpy as np

from .grad_mode import no_grad

METRICS = ("loss", "accuracy")


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite."""


class History:
    """Per-epoch results of `fit`: `history.history["loss"]`, `["accuracy"]`, `["val_loss"]`,
    `["val_accuracy"]` (Keras's layout); `history["val_loss"]` is the same list."""

    def __init__(self):
        self.epochs = []
        self.history = {}

    def __getitem__(self, key):
        return self.history[key]

    def __repr__(self):
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.history.items() if v)
        return f"History(epochs={len(self.epochs)}{', ' + last if last else ''})"

    def append(self, epoch, logs):
        """Record the metrics `logs` ({name: value}) of one epoch."""
        self.epochs.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def plot(self, path=None):
        """Loss and accuracy curves (train and validation) side by side; written to `path` if
        given. Returns the matplotlib Figure. Needs matplotlib."""
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("History.plot needs matplotlib: `pip install matplotlib` (or "
                              "install this package with the `plot` extra)") from None
        names = [m for m in METRICS if m in self.history]
        fig = Figure(figsize=(5 * len(names), 4), layout="tight")
        for ax, name in zip(np.atleast_1d(fig.subplots(1, len(names))), names):
            for key, label in ((name, "train"), ("val_" + name, "validation")):
                if key in self.history:
                    ax.plot(self.epochs, self.history[key], marker="o", label=label)
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            ax.legend()
        if path is not None:
            fig.savefig(path)
        return fig


class Callback:
    """Hooks into `fit` without editing it. `self.trainer` (the running `Trainer`: model,
    optimizer, history, stop) is set before `on_train_begin`. `on_epoch_end` may return True,
    or set `self.trainer.stop = True`, to stop after this epoch."""
    trainer = None

    def on_train_begin(self):
        """Called once before the first epoch."""

    def on_epoch_end(self, epoch, logs):
        """Called after each epoch with its metrics, e.g. {"loss": .., "val_loss": ..}."""

    def on_train_end(self):
        """Called once after the last epoch (also after an early stop)."""


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs
    (lecture Unit 2.3). With restore_best=True the model's state_dict of the best epoch is
    kept and loaded back when training ends (stopped early or not). With verbose=True it
    prints when and why it stopped and which epoch's weights it restored; afterwards
    `stopped_epoch` (None if it never stopped) and `best_epoch` say the same.

    A metric whose name contains "acc" improves upwards, any other (losses) downwards.
    """

    def __init__(self, monitor="val_loss", patience=5, min_delta=0.0, restore_best=True,
                 verbose=True):
        self.monitor, self.patience = monitor, patience
        self.min_delta, self.restore_best = min_delta, restore_best
        self.verbose = verbose
        self.sign = -1 if "acc" in monitor else 1
        self.best = self.best_epoch = self.best_state = self.stopped_epoch = None
        self.wait = 0

    def on_train_begin(self):
        self.best = self.best_epoch = self.best_state = self.stopped_epoch = None
        self.wait = 0

    def on_epoch_end(self, epoch, logs):
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping: monitor={self.monitor!r} is not among this "
                           f"epoch's metrics {sorted(logs)}; pass a val_loader for val_* "
                           "metrics")
        value = self.sign * logs[self.monitor]
        if self.best is None or value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = {name: t._data.copy()
                                   for name, t in self.trainer.model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait < self.patience:
            return False
        self.stopped_epoch = epoch
        self._say(f"stopped after epoch {epoch}: {self.monitor} has not improved by more "
                  f"than min_delta={self.min_delta} for {self.patience} epochs (best "
                  f"{self._best_value():.4g} at epoch {self.best_epoch})")
        return True

    def on_train_end(self):
        if self.restore_best and self.best_state is not None:
            self.trainer.model.load_state_dict(self.best_state)
            self._say(f"restored the weights of epoch {self.best_epoch} ({self.monitor} "
                      f"{self._best_value():.4g})")

    def _best_value(self):
        return self.sign * self.best

    def _say(self, message):
        if self.verbose:
            print(f"EarlyStopping: {message}")


class Trainer:
    """What a callback can see of a running `fit`. `metrics` is what fit reports: the
    requested ones, less "accuracy" once the first batch shows regression targets."""

    def __init__(self, model, loss_fn, optimizer, history, metrics=METRICS):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.history = history
        self.metrics = tuple(metrics)
        self.checked_targets = False
        self.stop = False


def accuracy_count(output, target, loss_fn=None):
    """How many rows of `output` predict `target`: argmax over columns for several columns;
    for one column (binary) class 1 is output > 0 if loss_fn is BCEWithLogitsLoss (logits),
    else output >= 0.5 (sigmoid probabilities)."""
    out, y = output._data, target._data
    if out.ndim == 2 and out.shape[1] > 1:
        predicted = out.argmax(axis=1)
        y = y.argmax(axis=1) if y.ndim == 2 else y
    else:
        score = out.reshape(len(out), -1)[:, 0]
        logits = type(loss_fn).__name__ == "BCEWithLogitsLoss"
        predicted = score > 0 if logits else score >= 0.5
        y = y.reshape(len(y), -1)[:, 0]
    return int((predicted == y).sum())


def has_accuracy(output, target):
    """Whether accuracy means something for this batch: integer (or bool) class-index
    targets; targets all in {0, 1} for a single-column output (binary labels); one-hot
    rows for a several-column output. Other float targets are regression: no accuracy."""
    out, y = output._data, target._data
    if y.dtype.kind in "iub":
        return True
    labels = bool(np.isin(y, (0, 1)).all())
    if out.ndim == 2 and out.shape[1] > 1:
        return labels and y.shape == out.shape and bool((y.sum(axis=1) == 1).all())
    return labels


def _run_epoch(trainer, loader, train, bar, epoch):
    """Mean loss and accuracy over `loader`; with train=True a step per batch."""
    model, loss_fn, optimizer = trainer.model, trainer.loss_fn, trainer.optimizer
    total_loss, correct, seen = 0.0, 0, 0
    for batch, (x, y) in enumerate(loader):
        if train:
            optimizer.zero_grad()
        output = model(x)
        loss = loss_fn(output, y)
        value = loss.item()
        if not math.isfinite(value):
            raise TrainingDiverged(
                f"fit: the loss became {value} at epoch {epoch}, batch {batch}: the gradients "
                f"are probably exploding. Lower the learning rate (now lr="
                f"{optimizer.param_groups[0]['lr']}), normalize the inputs, or check the last "
                "layer's activation and the loss function (lecture Unit 3)")
        if train:
            loss.backward()
            optimizer.step()
        if not trainer.checked_targets:    # decided once, on the first batch of training
            trainer.checked_targets = True
            if not has_accuracy(output, y):
                trainer.metrics = tuple(m for m in trainer.metrics if m != "accuracy")
        n = len(x)
        total_loss, seen = total_loss + value * n, seen + n
        if "accuracy" in trainer.metrics:
            correct += accuracy_count(output, y, loss_fn)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(_postfix(total_loss / seen, correct / seen, trainer.metrics),
                            refresh=False)
    logs = {"loss": total_loss / max(seen, 1)}
    if "accuracy" in trainer.metrics:
        logs["accuracy"] = correct / max(seen, 1)
    return logs


def _postfix(loss, accuracy, metrics):
    postfix = {"loss": f"{loss:.4f}"}
    if "accuracy" in metrics:
        postfix["acc"] = f"{accuracy:.3f}"
    return postfix


def _progress_bar(progress, epoch, epochs, total):
    if not progress:
        return None
    if progress is True:
        from tqdm.auto import tqdm          # a widget in Jupyter, text in a terminal
        if not _shows_live_bars(tqdm):
            return None
        return tqdm(total=total, desc=f"epoch {epoch}/{epochs}", unit="batch",
                    dynamic_ncols=True)
    from tqdm import tqdm
    return tqdm(total=total, desc=f"epoch {epoch}/{epochs}", unit="batch", file=progress)


def _shows_live_bars(tqdm):
    """Whether progress=True draws bars: in Jupyter (a widget), or when the bar's stream
    (stderr) is a terminal. Redirected to a file or a CI log, redrawn bars would flood it."""
    from tqdm.notebook import tqdm as notebook_tqdm
    stream = sys.stderr
    in_terminal = stream is not None and hasattr(stream, "isatty") and stream.isatty()
    return in_terminal or issubclass(tqdm, notebook_tqdm)


def fit(model, loss_fn, optimizer, train_loader, epochs, val_loader=None,
        metrics=("loss", "accuracy"), callbacks=(), progress=True):
    """Train `model` for `epochs` epochs and return a `History` of per-epoch metrics.

    metrics: "loss" (the batch-size weighted mean of loss_fn, which should average over its
    batch) and "accuracy" (see `accuracy_count`); validation metrics get a "val_" prefix.
    Accuracy is reported only where it means something (`has_accuracy`, decided on the first
    training batch): integer class-index targets, or 0/1 targets for a single-column output
    (one-hot rows for several columns). With regression targets (say MSELoss on floats
    other than 0 and 1) it is left out of the History and the progress bar.
    progress: True for a tqdm bar per epoch (epoch, batch, loss, metrics) when stderr is a
    terminal or in Jupyter (none when the output goes to a file or a log), False for none, or
    a text stream to draw the bars on. Raises TrainingDiverged (a FloatingPointError) when the
    loss becomes NaN or infinite.
    """
    unknown = set(metrics) - set(METRICS)
    if unknown or "loss" not in metrics:
        raise ValueError(f"fit: metrics must include 'loss' and be among {METRICS}, got "
                         f"{tuple(metrics)}")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be an int >= 0, got {epochs!r}")
    history = History()
    trainer = Trainer(model, loss_fn, optimizer, history, metrics)
    for callback in callbacks:
        callback.trainer = trainer
        callback.on_train_begin()
    for epoch in range(1, epochs + 1):
        bar = _progress_bar(progress, epoch, epochs, len(train_loader))
        try:
            model.train()
            logs = _run_epoch(trainer, train_loader, True, bar, epoch)
            if val_loader is not None:
                model.eval()
                with no_grad():
                    val = _run_epoch(trainer, val_loader, False, None, epoch)
                logs.update({"val_" + k: v for k, v in val.items()})
            if bar is not None:
                bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()})
        finally:
            if bar is not None:
                bar.close()
        history.append(epoch, logs)
        for callback in callbacks:
            trainer.stop = bool(callback.on_epoch_end(epoch, logs)) or trainer.stop
        if trainer.stop:
            break
    model.train()
    for callback in callbacks:
        callback.on_train_end()
    return history
