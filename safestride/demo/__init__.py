"""``safestride demo``: the 1e300 story, and the parts it is told with.

- `data`: the embedded digit glyphs (`load`, `glyphs`, `Dataset`);
- `model`: a small numpy CNN (`Model`, `train`, `History`) and its two bias
  broadcasts, the buggy `stale_strides_bias` and the fixed `checked_bias`;
- `plot`: curves and filters drawn with matplotlib;
- `story`: what ``safestride demo`` prints (`run`, `DemoOptions`).

Examples
--------
>>> from safestride.demo import checked_bias, load, train
>>> data = load("glyphs", train=64, test=32, seed=0)
>>> model, history = train(data, checked_bias, epochs=1, seed=0)
>>> len(history.test_accuracy)
1
"""

from safestride.demo.data import Dataset, glyphs, load
from safestride.demo.model import (
    History,
    Model,
    accuracy,
    checked_bias,
    forward,
    stale_strides_bias,
    train,
)
from safestride.demo.plot import check_plot_target, plot
from safestride.demo.story import DemoOptions, check_options, run

__all__ = [
    "Dataset",
    "DemoOptions",
    "History",
    "Model",
    "accuracy",
    "check_options",
    "check_plot_target",
    "checked_bias",
    "forward",
    "glyphs",
    "load",
    "plot",
    "run",
    "stale_strides_bias",
    "train",
]
