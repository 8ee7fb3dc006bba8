"""Is this view safe? Pure functions over shapes, strides and allocations.

Nothing here holds process-wide state: the guard (`safestride.guard`) and the
drop-in call (`safestride.stride_tricks`) both build on it.
"""
