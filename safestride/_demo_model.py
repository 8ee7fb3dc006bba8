"""The demo's CNN in numpy: conv 3x3, bias, ReLU, 2x2 mean pool, dense.

Everything but the bias broadcast is shared by the buggy and the fixed
network. The buggy one broadcasts the bias with numpy's raw ``as_strided``
and a stride left over from the activations: the classic 1e300 bug.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from safestride._demo_data import Dataset
from safestride.nn import add_bias, bias_grad, conv2d, conv2d_backward

Array = npt.NDArray[Any]
BiasFunction = Callable[[Array, Array], Array]
FILTERS = 8


def stale_strides_bias(activations: Array, bias: Array) -> Array:
    """THE BUG: the channel stride is the activations', not the bias's."""
    broadcast = as_strided(
        bias, shape=activations.shape, strides=(0, activations.strides[1], 0, 0)
    )
    result: Array = activations + broadcast
    return result


def checked_bias(activations: Array, bias: Array) -> Array:
    """The fix: safestride's add_bias, which never touches strides."""
    return add_bias(activations, bias, axis=1)


@dataclass
class Model:
    """All parameters live in one arena, as in most frameworks' flat buffers,
    next to a workspace that keeps the last activation map (for display)."""

    arena: Array
    conv_w: Array
    conv_b: Array
    workspace: Array
    dense_w: Array
    dense_b: Array

    @classmethod
    def create(cls, side: int, classes: int, seed: int) -> Model:
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
class Cache:
    x: Array
    z: Array
    pooled: Array


def forward(model: Model, x: Array, bias: BiasFunction) -> tuple[Array, Cache]:
    z = bias(conv2d(x, model.conv_w, padding=1), model.conv_b)
    a = np.maximum(z, 0.0)
    model.workspace[...] = a[0].ravel()  # the last activation map, for display
    n, f, h, w = a.shape
    pooled = a.reshape(n, f, h // 2, 2, w // 2, 2).mean(axis=(3, 5))
    logits = pooled.reshape(n, -1) @ model.dense_w + model.dense_b
    return logits, Cache(x, z, pooled)


def loss_and_gradient(logits: Array, labels: Array) -> tuple[float, Array]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = float(-np.log(probabilities[np.arange(n), labels] + 1e-12).mean())
    probabilities[np.arange(n), labels] -= 1.0
    return loss, probabilities / n


def step(model: Model, cache: Cache, grad_logits: Array, rate: float) -> None:
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
    logits, _ = forward(model, x, bias)
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
    """Train from a seeded start; the same seed gives the same run."""
    model = Model.create(data.train_x.shape[-1], data.classes, seed)
    rng = np.random.default_rng(seed + 1)
    history = History()
    batches = (len(data.train_y) + batch - 1) // batch
    for epoch in range(epochs):
        order = rng.permutation(len(data.train_y))
        losses = []
        for index in range(batches):
            chosen = order[index * batch : (index + 1) * batch]
            logits, cache = forward(model, data.train_x[chosen], bias)
            loss, grad = loss_and_gradient(logits, data.train_y[chosen])
            losses.append(loss)
            step(model, cache, grad, rate)
            _progress(out, label, epoch * batches + index + 1, epochs * batches)
        history.loss.append(float(np.mean(losses)))
        history.train_accuracy.append(accuracy(model, data.train_x, data.train_y, bias))
        history.test_accuracy.append(accuracy(model, data.test_x, data.test_y, bias))
    probe = np.zeros((1, FILTERS, data.train_x.shape[-2], data.train_x.shape[-1]))
    history.bias_read = bias(probe, model.conv_b)[0, :, 0, 0]
    return model, history
