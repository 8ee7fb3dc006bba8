"""``safestride.demo.model``: the demo's CNN and its two bias broadcasts."""

from __future__ import annotations

import io

import numpy as np

from safestride.demo import data, model


def test_progress_bar_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    glyphs = data.load("glyphs", 64, 16, seed=1)
    screen = Terminal()
    model.train(glyphs, model.checked_bias, 1, 1, "fixed", screen)
    assert "\r  fixed      [" in screen.getvalue()
    assert "] 2/2" in screen.getvalue()
    quiet = io.StringIO()
    model.train(glyphs, model.checked_bias, 1, 1, "fixed", quiet)
    assert quiet.getvalue() == ""


def test_the_buggy_bias_reads_the_workspace_after_the_bias() -> None:
    net = model.Model.create(side=4, classes=2, seed=0)
    net.conv_b[:] = np.arange(1.0, model.FILTERS + 1)
    net.workspace[:] = -np.arange(net.workspace.size, dtype=float)
    read = model.stale_strides_bias(np.zeros((1, model.FILTERS, 4, 4)), net.conv_b)
    stride = 4 * 4  # elements of one channel of the activations
    channel = np.arange(model.FILTERS)
    # channel c reads c * stride elements after conv_b[0]: conv_b is 8 long,
    # so from channel 1 on that is workspace[c * stride - 8]
    expected = np.where(channel == 0, 1.0, -(channel * stride - model.FILTERS))
    np.testing.assert_array_equal(read[0, :, 0, 0], expected)


def test_the_checked_bias_adds_one_value_per_channel() -> None:
    bias = np.arange(1.0, 4.0)
    out = model.checked_bias(np.zeros((2, 3, 2, 2)), bias)
    np.testing.assert_array_equal(out, np.broadcast_to(bias[:, None, None], out.shape))


def test_training_is_seeded() -> None:
    glyphs = data.load("glyphs", 64, 16, seed=2)
    first = model.train(glyphs, model.checked_bias, 1, seed=3)[1]
    again = model.train(glyphs, model.checked_bias, 1, seed=3)[1]
    assert first.loss == again.loss
    assert first.test_accuracy == again.test_accuracy
    assert 0.0 <= first.test_accuracy[0] <= 1.0
