"""Train a small CNN with safestride's checked conv2d and add_bias, top to bottom.

Run: python examples/train_cnn.py

The same network as `safestride demo`'s fixed one: conv 3x3 (8 filters) ->
bias -> ReLU -> 2x2 mean pool -> dense -> softmax, trained with plain SGD on
digit glyphs drawn by the package (no download).
"""

import numpy as np

from safestride import add_bias, bias_grad, conv2d, conv2d_backward
from safestride.demo import load

data = load("glyphs", train=3000, test=1000, seed=0)
rng = np.random.default_rng(0)
filters, classes, side = 8, 10, data.train_x.shape[-1]
pooled = filters * (side // 2) ** 2

conv_w = rng.normal(0.0, np.sqrt(2 / 9), (filters, 1, 3, 3))
conv_b = np.zeros(filters)
dense_w = rng.normal(0.0, np.sqrt(1 / pooled), (pooled, classes))
dense_b = np.zeros(classes)


def forward(x):
    z = add_bias(conv2d(x, conv_w, padding=1), conv_b)  # bias along the channels
    a = np.maximum(z, 0.0)
    n = len(x)
    p = a.reshape(n, filters, side // 2, 2, side // 2, 2).mean(axis=(3, 5))
    return p.reshape(n, -1) @ dense_w + dense_b, (z, p)


def softmax_cross_entropy(logits, labels):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(probabilities[np.arange(len(labels)), labels]).mean()
    probabilities[np.arange(len(labels)), labels] -= 1
    return loss, probabilities / len(labels)


for epoch in range(8):
    order = rng.permutation(len(data.train_y))
    for start in range(0, len(order), 32):
        batch = order[start : start + 32]
        x, y = data.train_x[batch], data.train_y[batch]
        logits, (z, p) = forward(x)
        loss, g = softmax_cross_entropy(logits, y)
        g_p = (g @ dense_w.T).reshape(p.shape)
        g_z = np.repeat(np.repeat(g_p, 2, axis=2), 2, axis=3) / 4 * (z > 0)
        _, g_conv_w, _ = conv2d_backward(g_z, x, conv_w, padding=1)
        dense_w -= 0.6 * p.reshape(len(x), -1).T @ g
        dense_b -= 0.6 * g.sum(axis=0)
        conv_w -= 0.6 * g_conv_w
        conv_b -= 0.6 * bias_grad(g_z, axis=1)
    test_logits, _ = forward(data.test_x)
    accuracy = (test_logits.argmax(axis=1) == data.test_y).mean()
    print(
        f"epoch {epoch + 1}: last batch loss {loss:.3f}, test accuracy {accuracy:.1%}"
    )
