"""The first sentence of a safestride message, for one-line summaries.

Kept free of numpy so the pytest plugin can import it while inactive.
"""

from __future__ import annotations


def headline(message: str) -> str:
    """The first sentence of `message`, unwrapped.

    Examples
    --------
    >>> headline("as_strided would read 8 bytes past the\\n  end. numpy would...")
    'as_strided would read 8 bytes past the end.'
    """
    paragraph = message.split("\n  asked for")[0]
    sentence = " ".join(paragraph.split()).split(". ")[0]
    return sentence if sentence.endswith(".") else sentence + "."
