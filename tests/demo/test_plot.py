"""``safestride.demo.plot``: the plot, and the checks made before any training."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from safestride.demo import History, Model, check_plot_target, plot

matplotlib = pytest.importorskip("matplotlib")


@pytest.fixture
def no_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``import matplotlib`` fail, as it does where it is not installed."""
    for name in [n for n in sys.modules if n.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


def test_plot_writes_the_file(tmp_path: Path) -> None:
    run = History(loss=[2.0, 1.5, 1.0], test_accuracy=[0.3, 0.6, 0.8])
    target = tmp_path / "curves.svg"
    plot(str(target), run, run, Model.create(side=12, classes=10, seed=0))
    assert target.read_text().lstrip().startswith("<?xml")


def test_plot_leaves_pyplot_alone(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    backend, figures = matplotlib.get_backend(), plt.get_fignums()
    run = History(loss=[1.0], test_accuracy=[0.5])
    plot(str(tmp_path / "c.png"), run, run, Model.create(12, 10, 0))
    assert (matplotlib.get_backend(), plt.get_fignums()) == (backend, figures)


def test_a_good_target_passes(tmp_path: Path) -> None:
    check_plot_target(str(tmp_path / "curves.png"))
    check_plot_target(str(tmp_path / "curves.PDF"))
    assert list(tmp_path.iterdir()) == []  # the check leaves nothing behind


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("missing/curves.png", "the folder {tmp}/missing does not exist; create it"),
        ("file.txt/curves.png", "the folder {tmp}/file.txt is not a folder"),
        ("folder", "{tmp}/folder is a folder: give a file name such as curves.png"),
        ("curves", "matplotlib cannot write a file without a type; end the name"),
        ("curves.xyz", "matplotlib cannot write .xyz files; end the name with one"),
    ],
)
def test_bad_targets_are_refused_in_one_line(
    tmp_path: Path, name: str, message: str
) -> None:
    (tmp_path / "file.txt").write_text("")
    (tmp_path / "folder").mkdir()
    with pytest.raises(ValueError, match=r"^--plot ") as refused:
        check_plot_target(str(tmp_path / name))
    assert message.format(tmp=tmp_path) in str(refused.value)
    assert "\n" not in str(refused.value)


@pytest.mark.skipif(
    not Path("/proc/self").is_dir(), reason="needs a folder nobody can write in"
)
def test_a_folder_nobody_can_write_in_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot write in the folder /proc"):
        check_plot_target("/proc/curves.png")


@pytest.mark.usefixtures("no_matplotlib")
def test_without_matplotlib_the_check_says_how_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"needs matplotlib: pip install 'safestr"):
        check_plot_target(str(tmp_path / "curves.png"))


@pytest.mark.usefixtures("no_matplotlib")
def test_without_matplotlib_plot_raises_import_error(tmp_path: Path) -> None:
    run = History(loss=[1.0], test_accuracy=[0.5])
    with pytest.raises(ImportError, match=r"plot needs matplotlib: pip install"):
        plot(str(tmp_path / "c.png"), run, run, Model.create(12, 10, 0))
