"""A helper module that binds numpy's as_strided at import, as many libraries do."""

from numpy.lib.stride_tricks import as_strided


def broadcast_bias(bias, activations):
    """Repeat a per-channel bias over (N, C, H, W) activations, without copying."""
    # BUG: the channel stride comes from the activations, not from the bias.
    return as_strided(
        bias,
        shape=activations.shape,
        strides=(0, activations.strides[1], 0, 0),
        writeable=False,
    )
