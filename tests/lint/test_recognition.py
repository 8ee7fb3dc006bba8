"""Every spelling that ends at numpy's or safestride's as_strided is an
as_strided call; look-alikes (torch's, a local helper) are not."""

from __future__ import annotations

import textwrap

import pytest

from safestride.lint import Selection, lint_source

#: A rule that fires on every recognised call that returns its view.
PROBE = Selection(("SST004",))

SPELLINGS = {
    "imported": """
        from numpy.lib.stride_tricks import as_strided
        def f(x):
            return as_strided(x, (2,), x.strides)
        """,
    "imported under another name": """
        from numpy.lib.stride_tricks import as_strided as view_of
        def f(x):
            return view_of(x, (2,), x.strides)
        """,
    "through numpy's module path": """
        import numpy as np
        def f(x):
            return np.lib.stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "through the full module name": """
        import numpy.lib.stride_tricks
        def f(x):
            return numpy.lib.stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "an assignment alias at module level": """
        import numpy as np
        as_strided = np.lib.stride_tricks.as_strided
        def f(x):
            return as_strided(x, (2,), x.strides)
        """,
    "an assignment alias under another name": """
        import numpy as np
        strided = np.lib.stride_tricks.as_strided
        def f(x):
            return strided(x, (2,), x.strides)
        """,
    "an assignment alias in the function": """
        import numpy as np
        def f(x):
            strd = np.lib.stride_tricks.as_strided
            return strd(x, (2,), x.strides)
        """,
    "the stride_tricks module imported from numpy.lib": """
        from numpy.lib import stride_tricks
        def f(x):
            return stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "the module under an alias": """
        import numpy.lib.stride_tricks as st
        def f(x):
            return st.as_strided(x, (2,), x.strides)
        """,
    "the module assigned to a name": """
        import numpy as np
        tricks = np.lib.stride_tricks
        def f(x):
            return tricks.as_strided(x, (2,), x.strides)
        """,
    "an array module chosen at run time": """
        def f(x, xp):
            return xp.lib.stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "an array module kept on self": """
        class Layer:
            def forward(self, x):
                return self.xp.lib.stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "numpy's private module": """
        from numpy.lib._stride_tricks_impl import as_strided
        def f(x):
            return as_strided(x, (2,), x.strides)
        """,
    "a star import": """
        from numpy.lib.stride_tricks import *
        def f(x):
            return as_strided(x, (2,), x.strides)
        """,
    "safestride's drop-in": """
        import safestride
        def f(x):
            return safestride.as_strided(x, (2,), x.strides)
        """,
    "safestride's drop-in imported": """
        from safestride import safe_as_strided
        def f(x):
            return safe_as_strided(x, (2,), x.strides)
        """,
    "safestride's stride_tricks": """
        from safestride import stride_tricks
        def f(x):
            return stride_tricks.as_strided(x, (2,), x.strides)
        """,
    "an import inside the function": """
        def f(x):
            from numpy.lib.stride_tricks import as_strided
            return as_strided(x, (2,), x.strides)
        """,
}

LOOK_ALIKES = {
    "torch's as_strided counts strides in elements": """
        import torch
        def f(x):
            return torch.as_strided(x, (2,), (1,))
        """,
    "a helper of the project's own": """
        def as_strided(x, shape, strides):
            return x
        def f(x):
            return as_strided(x, (2,), x.strides)
        """,
    "a method that happens to have the name": """
        def f(tensor):
            return tensor.as_strided((2,), (1,))
        """,
}


@pytest.mark.parametrize("source", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_every_spelling_is_recognised(source: str) -> None:
    code = textwrap.dedent(source)
    found = lint_source(code, "spelling.py", PROBE)
    assert [f.code for f in found] == ["SST004"], code


@pytest.mark.parametrize("source", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alikes_are_not(source: str) -> None:
    assert lint_source(textwrap.dedent(source), "other.py", PROBE) == []


def test_strides_computed_in_init_and_kept_on_self() -> None:
    code = textwrap.dedent(
        """
        from numpy.lib.stride_tricks import as_strided
        class MaxPool:
            def __init__(self, x, size):
                itemsize = x.itemsize
                _, _, xh, xw = x.strides
                self.size = size
                self.steps = (xh * size, xw // itemsize, xh, xw)
            def forward(self, x):
                shape = (2, 2, self.size, self.size)
                return as_strided(x, shape, self.steps, writeable=False)
        """
    )
    (finding,) = lint_source(code, "pool.py", Selection(("SST010",)))
    assert finding.line == 11
    assert "`xw // itemsize` divides by itemsize" in finding.message


def test_a_name_bound_twice_in_a_class_is_not_followed() -> None:
    code = textwrap.dedent(
        """
        from numpy.lib.stride_tricks import as_strided
        class Pool:
            def __init__(self, x):
                self.steps = (x.strides[0] // 8,)
            def reset(self, x):
                self.steps = x.strides
            def forward(self, x):
                return as_strided(x, (2,), self.steps, writeable=False)
        """
    )
    assert lint_source(code, "pool.py", Selection(("SST010",))) == []


def test_strides_and_shape_kept_on_self_under_those_names() -> None:
    code = textwrap.dedent(
        """
        import numpy as np
        class StridedPool:
            def __init__(self, x, size):
                step = size * x.itemsize
                self.strides = (step, x.strides[0] // step)
                self.shape = (2, 2)
            def forward(self, x):
                return np.lib.stride_tricks.as_strided(x, self.shape, self.strides)
        """
    )
    (finding,) = lint_source(code, "pool.py", Selection(("SST010",)))
    assert "divides by x.itemsize" in finding.message
