"""safestride in IPython and Jupyter: ``%load_ext safestride``.

`extension` loads and unloads it for a shell, `magics` is the ``%safestride``
line magic, `command` parses that magic's line, `exceptions` shows a
`StrideError` raised by a cell as a picture above its traceback, and
`display` draws that picture (it needs no IPython).
"""
