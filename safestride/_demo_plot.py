"""``safestride demo --plot FILE.png``: loss and accuracy curves, learned filters.

Needs matplotlib (``pip install 'safestride[plot]'``).
"""

from __future__ import annotations

from safestride._demo_model import History, Model


def plot(path: str, buggy: History, fixed: History, model: Model) -> None:
    """Draw the buggy and fixed runs side by side, and the fixed run's filters."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise SystemExit(
            "safestride demo: --plot needs matplotlib: pip install 'safestride[plot]'"
        ) from None
    figure = plt.figure(figsize=(11, 6), layout="constrained")
    grid = figure.add_gridspec(2, 8)
    loss = figure.add_subplot(grid[0, :4])
    accuracy = figure.add_subplot(grid[0, 4:])
    epochs = range(1, len(fixed.loss) + 1)
    for history, label, color in (
        (buggy, "buggy (stale strides)", "tab:red"),
        (fixed, "fixed (safestride)", "tab:green"),
    ):
        loss.plot(epochs, history.loss, color=color, label=label)
        accuracy.plot(epochs, history.test_accuracy, color=color, label=label)
    loss.set(title="training loss", xlabel="epoch", xticks=list(epochs))
    accuracy.set(
        title="test accuracy", xlabel="epoch", ylim=(0, 1), xticks=list(epochs)
    )
    accuracy.legend(loc="lower right")
    for index in range(model.conv_w.shape[0]):
        axis = figure.add_subplot(grid[1, index])
        axis.imshow(model.conv_w[index, 0], cmap="gray")
        axis.set_title(f"filter {index}", fontsize=8)
        axis.axis("off")
    figure.suptitle("safestride demo: the 1e300 bug, caught and fixed")
    figure.savefig(path, dpi=100)
    plt.close(figure)
