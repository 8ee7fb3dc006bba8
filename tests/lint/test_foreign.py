"""SST011: windows counted from another array, and what ties arrays together."""

from __future__ import annotations

from safestride.lint import Selection, lint_source
from safestride.lint.foreign import akin

HEADER = "import numpy as np\nfrom numpy.lib.stride_tricks import as_strided\n"


def sst011(body: str) -> list[str]:
    found = lint_source(HEADER + body, "m.py", Selection(["SST011"]))
    return [f.message for f in found]


def test_the_message_states_the_relation_that_keeps_the_view_in_bounds() -> None:
    (message,) = sst011(
        "def backward(x, grad, k):\n"
        "    h = x.shape[0]\n"
        "    padded = np.pad(grad, ((k - 1, k - 1),))\n"
        "    s = padded.strides[0]\n"
        "    return as_strided(padded, (h, k), (s, s))\n"
    )
    assert "dimensions 0 and 1 (sizes h, k) step along axis 0 of padded" in message
    assert "h is another array's size" in message
    assert "only while h <= grad.shape[0] + k - 1" in message
    assert "count the windows from padded.shape[0]" in message


def test_a_framework_shape_object_counts_as_the_arrays_shape() -> None:
    found = sst011(
        "def backward(inp, out, k):\n"
        "    in_h, in_w = inp.shape.axis\n"
        "    padded = np.pad(out.deltas, ((k - 1, k - 1), (k - 1, k - 1)))\n"
        "    s = padded.strides\n"
        "    return as_strided(padded, (in_h, k), (s[0], s[0]))\n"
    )
    assert len(found) == 1
    assert "in_h is another array's size" in found[0]


def test_windows_counted_from_an_array_the_view_is_made_of_are_quiet() -> None:
    assert not sst011(
        "def backward(grad, k):\n"
        "    dilated = np.insert(grad, [1, 2], 0)\n"
        "    padded = np.pad(dilated, ((k - 1, k - 1),))\n"
        "    s = padded.strides[0]\n"
        "    return as_strided(padded, (len(grad) + k, k), (s, s))\n"
    )


def test_a_forward_pass_over_its_own_padded_input_is_quiet() -> None:
    assert not sst011(
        "def forward(x, w, p):\n"
        "    k = w.shape[0]\n"
        "    padded = np.pad(x, ((p, p),))\n"
        "    s = padded.strides[0]\n"
        "    return as_strided(padded, (len(x) + 2 * p - k + 1, k), (s, s))\n"
    )


def test_a_view_over_an_array_taken_as_it_comes_is_the_callers_business() -> None:
    assert not sst011(
        "def weight_gradient(x, dout, k):\n"
        "    s = x.strides[0]\n"
        "    return as_strided(x, (len(dout), k), (s, s))\n"
    )


def test_arrays_made_from_one_another_are_akin() -> None:
    assert akin("1:x@2:4", "1:x@2:4@new@1:3:9")
    assert akin("1:x@2:4[(3, 4)]", "1:x@2:4")
    assert not akin("1:x@2:4", "1:x@2:45")
    assert not akin("1:x@2:4", "1:y@2:4")


def test_a_helper_given_another_arrays_count_is_reported_at_the_call() -> None:
    body = (
        "class Layer:\n"
        "    def windows(self, x, count, k):\n"
        "        padded = np.pad(x, ((k - 1, k - 1),))\n"
        "        s = padded.strides[0]\n"
        "        return as_strided(padded, (count, k), (s, s))\n"
        "\n"
        "    def forward(self, x, k):\n"
        "        self.x = x\n"
        "        return self.windows(x, len(x) - k + 1, k)\n"
        "\n"
        "    def backward(self, grad, k):\n"
        "        dilated = np.insert(grad, [1, 2], 0)\n"
        "        return self.windows(dilated, len(self.x), k)\n"
    )
    found = lint_source(HEADER + body, "m.py", Selection(["SST011"]))
    assert [f.line for f in found] == [15]
    assert "windows() called here" in found[0].message
    assert "count (in windows()) is another array's size" in found[0].message
