"""The demo's CNN in numpy: conv 3x3, bias, ReLU, 2x2 mean pool, dense.

Everything but the bias broadcast is shared by the buggy and the fixed
network. The buggy one broadcasts the bias with numpy's raw ``as_strided``
and a stride left over from the activations: the classic 1e300 bug, kept on
purpose.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from safestride.demo.data import Dataset
from safestride.nn import add_bias, bias_grad, conv2d, conv2d_backward

__all__ = [
    "FILTERS",
    "BiasFunction",
    "History",
    "Model",
    "accuracy",
    "checked_bias",
    "forward",
    "stale_strides_bias",
    "train",
]

Array = npt.NDArray[Any]
BiasFunction = Callable[[Array, Array], Array]
#: The number of convolution filters.
FILTERS = 8


def stale_strides_bias(activations: Array, bias: Array) -> Array:
    """THE BUG: the channel stride is the activations', not the bias's.

    Channel 0 gets ``bias[0]``; channel c gets whatever lies ``c *
    activations.strides[1]`` bytes after it. Do not call it on a bias that has
    no memory after it: numpy reads there anyway.

    Examples
    --------
    In the demo's model the bias sits in front of the workspace, so the bug
    reads the workspace:

    >>> model = Model.create(side=4, classes=2, seed=0)
    >>> model.conv_b[:] = 0.5
    >>> model.workspace[:] = 7.0
    >>> stale_strides_bias(np.zeros((1, 8, 4, 4)), model.conv_b)[0, :, 0, 0]
    array([0.5, 7. , 7. , 7. , 7. , 7. , 7. , 7. ])
    """
    broadcast = as_strided(
        bias, shape=activations.shape, strides=(0, activations.strides[1], 0, 0)
    )
    result: Array = activations + broadcast
    return result


def checked_bias(activations: Array, bias: Array) -> Array:
    """The fix: safestride's add_bias, which never touches strides.

    Examples
    --------
    >>> checked_bias(np.zeros((1, 3, 2, 2)), np.array([0.5, 1.0, 2.0]))[0, :, 0, 0]
    array([0.5, 1. , 2. ])
    """
    return add_bias(activations, bias, axis=1)


@dataclass
class Model:
    """All parameters live in one arena, as in most frameworks' flat buffers,
    next to a workspace that keeps the last activation map (for display).

    Examples
    --------
    >>> model = Model.create(side=12, classes=10, seed=0)
    >>> model.conv_w.shape, model.conv_b.shape, model.dense_w.shape
    ((8, 1, 3, 3), (8,), (288, 10))
    >>> np.shares_memory(model.conv_b, model.arena)
    True
    """

    arena: Array
    conv_w: Array
    conv_b: Array
    workspace: Array
    dense_w: Array
    dense_b: Array

    @classmethod
    def create(cls, side: int, classes: int, seed: int) -> Model:
        """A seeded start for images of `side` x `side` pixels and `classes` classes."""
        rng = np.random.default_rng(seed)
        pooled = FILTERS * (side // 2) ** 2
        sizes = [FILTERS * 9, FILTERS, FILTERS * side * side, pooled * classes, classes]
        arena = np.zeros(sum(sizes))
        cuts = np.cumsum([0, *sizes])
        conv_w = arena[cuts[0] : cuts[1]].reshape(FILTERS, 1, 3, 3)
        conv_b = arena[cuts[1] : cuts[2]]
        workspace = arena[cuts[2] : cuts[3]]
        dense_w = arena[cuts[3] : cuts[4]].reshape(pooled, classes)
        dense_b = arena[cuts[4] : cuts[5]]
        conv_w[...] = rng.normal(0.0, np.sqrt(2.0 / 9), conv_w.shape)
        dense_w[...] = rng.normal(0.0, np.sqrt(1.0 / pooled), dense_w.shape)
        return cls(arena, conv_w, conv_b, workspace, dense_w, dense_b)


@dataclass
class _Cache:
    """What the backward step needs from the forward pass."""

    x: Array
    z: Array
    pooled: Array


def _forward(model: Model, x: Array, bias: BiasFunction) -> tuple[Array, _Cache]:
    z = bias(conv2d(x, model.conv_w, padding=1), model.conv_b)
    a = np.maximum(z, 0.0)
    model.workspace[...] = a[0].ravel()  # the last activation map, for display
    n, f, h, w = a.shape
    pooled = a.reshape(n, f, h // 2, 2, w // 2, 2).mean(axis=(3, 5))
    logits = pooled.reshape(n, -1) @ model.dense_w + model.dense_b
    return logits, _Cache(x, z, pooled)


def forward(model: Model, x: Array, bias: BiasFunction) -> Array:
    """The logits (N, classes) for images `x` (N, 1, side, side).

    `bias` adds the convolution's bias: `checked_bias` or `stale_strides_bias`.

    Examples
    --------
    >>> model = Model.create(side=12, classes=10, seed=0)
    >>> forward(model, np.zeros((2, 1, 12, 12)), checked_bias).shape
    (2, 10)
    """
    logits, _ = _forward(model, x, bias)
    return logits


def _loss_and_gradient(logits: Array, labels: Array) -> tuple[float, Array]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = float(-np.log(probabilities[np.arange(n), labels] + 1e-12).mean())
    probabilities[np.arange(n), labels] -= 1.0
    return loss, probabilities / n


def _step(model: Model, cache: _Cache, grad_logits: Array, rate: float) -> None:
    n, f, ph, pw = cache.pooled.shape
    flat = cache.pooled.reshape(n, -1)
    grad_dense_w = flat.T @ grad_logits
    grad_dense_b = grad_logits.sum(axis=0)
    grad_pooled = (grad_logits @ model.dense_w.T).reshape(n, f, ph, pw)
    grad_a = np.repeat(np.repeat(grad_pooled, 2, axis=2), 2, axis=3) / 4.0
    grad_z = grad_a * (cache.z > 0)
    _, grad_conv_w, _ = conv2d_backward(grad_z, cache.x, model.conv_w, padding=1)
    model.conv_b -= rate * bias_grad(grad_z, axis=1)
    model.conv_w -= rate * grad_conv_w
    model.dense_w -= rate * grad_dense_w
    model.dense_b -= rate * grad_dense_b


def accuracy(model: Model, x: Array, y: Array, bias: BiasFunction) -> float:
    """The fraction of images in `x` whose predicted class is their label in `y`.

    Examples
    --------
    >>> from safestride.demo import load
    >>> data = load("glyphs", train=20, test=10, seed=0)
    >>> model = Model.create(side=12, classes=data.classes, seed=0)
    >>> 0.0 <= accuracy(model, data.test_x, data.test_y, checked_bias) <= 1.0
    True
    """
    logits = forward(model, x, bias)
    return float((logits.argmax(axis=1) == y).mean())


@dataclass
class History:
    """Per-epoch loss and accuracies, and what the bias broadcast really read."""

    loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    bias_read: Array | None = None


def _progress(out: TextIO, label: str, done: int, total: int) -> None:
    if not out.isatty():
        return
    width = 30
    filled = width * done // total
    out.write(f"\r  {label:10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        out.write("\r" + " " * (width + 30) + "\r")
    out.flush()


def train(
    data: Dataset,
    bias: BiasFunction,
    epochs: int,
    seed: int,
    label: str = "training",
    out: TextIO = sys.stdout,
    batch: int = 32,
    rate: float = 0.5,
) -> tuple[Model, History]:
    """Train from a seeded start; the same seed gives the same run.

    Parameters
    ----------
    data : Dataset
        What to train and test on.
    bias : callable
        ``bias(activations, bias_vector)``: `checked_bias`, or
        `stale_strides_bias` to train with the bug.
    epochs, seed : int
        How long, and from which start (the same seed gives the same run).
    label : str
        The progress bar's name.
    out : text stream
        Where the progress bar goes, only when it is a terminal.
    batch : int
        Images per step.
    rate : float
        The learning rate of plain SGD.

    Returns
    -------
    model : Model
        The trained parameters.
    history : History
        Loss and accuracies per epoch, and the bias values the broadcast read.

    Examples
    --------
    >>> from safestride.demo import load
    >>> data = load("glyphs", train=64, test=16, seed=1)
    >>> model, history = train(data, checked_bias, epochs=2, seed=1)
    >>> len(history.loss), len(history.test_accuracy)
    (2, 2)
    >>> np.array_equal(history.bias_read, model.conv_b)
    True
    """
    model = Model.create(data.train_x.shape[-1], data.classes, seed)
    rng = np.random.default_rng(seed + 1)
    history = History()
    batches = (len(data.train_y) + batch - 1) // batch
    for epoch in range(epochs):
        order = rng.permutation(len(data.train_y))
        losses = []
        for index in range(batches):
            chosen = order[index * batch : (index + 1) * batch]
            logits, cache = _forward(model, data.train_x[chosen], bias)
            loss, grad = _loss_and_gradient(logits, data.train_y[chosen])
            losses.append(loss)
            _step(model, cache, grad, rate)
            _progress(out, label, epoch * batches + index + 1, epochs * batches)
        history.loss.append(float(np.mean(losses)))
        history.train_accuracy.append(accuracy(model, data.train_x, data.train_y, bias))
        history.test_accuracy.append(accuracy(model, data.test_x, data.test_y, bias))
    probe = np.zeros((1, FILTERS, data.train_x.shape[-2], data.train_x.shape[-1]))
    history.bias_read = bias(probe, model.conv_b)[0, :, 0, 0]
    return model, history
