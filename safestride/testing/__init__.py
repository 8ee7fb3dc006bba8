"""Helpers for testing code that makes strided views.

`safestride.testing.strategies` holds hypothesis strategies (it needs
hypothesis: ``pip install "safestride[hypothesis]"``); this package imports
nothing, so importing it never needs hypothesis.
"""

__all__ = ["strategies"]
