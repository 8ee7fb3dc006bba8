"""conv2d and bias helpers on checked window views (NCHW, cross-correlation).

The window views are made with safestride's checked ``as_strided`` and are
read-only; the arithmetic is one matrix product per group over a column
buffer laid out with the output width innermost, the fastest layout to copy.

The public names are these; the modules behind them are internal:
`validate` (argument checks), `geometry` (the sizes of one convolution),
`plan` (layout and blocking), `columns` (im2col) and `scatter` (its
scatter-add twins), `forward`, `backward`, `bias`, `windows`, and `scratch`
(the per-thread pool of temporaries).
"""

from safestride.nn.backward import conv2d_backward
from safestride.nn.bias import add_bias, bias_grad
from safestride.nn.forward import conv2d
from safestride.nn.scratch import release as release_scratch
from safestride.nn.windows import windows

__all__ = [
    "add_bias",
    "bias_grad",
    "conv2d",
    "conv2d_backward",
    "release_scratch",
    "windows",
]

# They were defined in this module before it became a package: help(),
# pickle and the docs keep naming their public home.
for _function in (add_bias, bias_grad, conv2d, conv2d_backward, windows):
    _function.__module__ = __name__
del _function
