"""What a view reads when its elements are not x's elements, in words.

Sentences for `ForeignElementError` (added to the violation's likely causes)
and the messages of the refusals that protect Python objects. Built from the
numbers, never from other messages.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy.typing as npt

from safestride.core.elements import ENUMERATION_LIMIT, containing_element, element_at
from safestride.core.extent import describe_array
from safestride.core.messages import MESSAGE_WIDTH

#: The first words of every refusal that protects Python objects.
OBJECTS_REFUSED = "as_strided refuses this view of"


def _at(index: tuple[int, ...] | None) -> str:
    return f"view[{', '.join(map(str, index))}]" if index is not None else "an element"


def _x(index: tuple[int, ...]) -> str:
    return f"x[{', '.join(map(str, index))}]"


def what_is_read(
    x: npt.NDArray[Any], offset: int, index: tuple[int, ...] | None
) -> str | None:
    """One sentence on the bytes a foreign view element reads, or None.

    Either it starts inside an element of x and straddles it and what
    follows (a complex128 view with stride 8 pairs ``x[i].imag`` with
    ``x[i + 1].real``), or it starts in a gap between x's elements.

    Examples
    --------
    >>> import numpy as np
    >>> print(what_is_read(np.zeros(4, complex), 8, (1,)))
    Straddling elements? view[1] starts 8 bytes into x[0] (complex128, 16 bytes
    per element): its bytes are the last 8 of x[0] and the first 8 of x[1], so its
    real part is x[0].imag and its imaginary part is x[1].real. Use strides that
    are multiples of x.strides; for the parts of complex numbers, view x.real or
    x.imag.
    """
    itemsize = x.itemsize
    holder = containing_element(x.shape, x.strides, itemsize, offset)
    if holder is not None:
        held, start = holder
        into = offset - start
        after = element_at(x.shape, x.strides, start + itemsize)
        following = _x(after) if after is not None else "the bytes after it"
        sentence = (
            f"Straddling elements? {_at(index)} starts {into} bytes into "
            f"{_x(held)} ({x.dtype}, {itemsize} bytes per element): its bytes are "
            f"the last {itemsize - into} of {_x(held)} and the first {into} of "
            f"{following}"
        )
        if x.dtype.kind == "c" and 2 * into == itemsize and after is not None:
            sentence += (
                f", so its real part is {_x(held)}.imag and its imaginary part is "
                f"{_x(after)}.real"
            )
        advice = " Use strides that are multiples of x.strides"
        if x.dtype.kind == "c":
            advice += "; for the parts of complex numbers, view x.real or x.imag"
        return sentence + "." + advice + "."
    if x.size > ENUMERATION_LIMIT:
        return None
    return (
        f"Between elements? {_at(index)} starts at byte {offset}, in a gap between "
        f"elements of x (x's strides {x.strides} skip bytes that belong to "
        f"something else in the same buffer: another channel, field or skipped "
        f"element)."
    )


def undecided_message(
    x: npt.NDArray[Any], shape: tuple[int, ...], strides: tuple[int, ...]
) -> tuple[str, str]:
    """(message, summary) for a view whose elements could not be checked."""
    summary = (
        "as_strided could not prove that every element of the view is an element "
        "of x, so it refuses it."
    )
    message = _paragraph(
        f"{summary} Asked for shape {shape}, strides {strides} of the "
        f"{describe_array(x)} with strides {x.strides}. The strides are not "
        f"steps along x's own dimensions, and the view has more elements than "
        f"safestride enumerates ({ENUMERATION_LIMIT}). It may read bytes that are "
        f"not elements of x. Build strides from x.strides; if the view is meant "
        f'to read between x\'s elements, pass bounds="array".'
    )
    return message, summary


def outside_objects_message(
    x: npt.NDArray[Any],
    owner: npt.NDArray[Any],
    extent: tuple[int, int],
    span: tuple[int, int],
) -> tuple[str, str]:
    """(message, summary) for a view that reaches outside x into object memory."""
    what = _holds_objects(x, owner)
    message = _paragraph(
        f"{OBJECTS_REFUSED} {describe_array(x)}: {what}, and the view (bytes "
        f"[{extent[0]}, {extent[1]})) reaches outside x (bytes [{span[0]}, "
        f"{span[1]})), where safestride cannot prove the bytes are "
        f"{_what_x_holds(x)}. Reading a non-pointer as an object, or writing over "
        f"an object pointer, crashes the interpreter. Make the view from the "
        f"parent array instead."
    )
    summary = (
        f"{OBJECTS_REFUSED} {describe_array(x)}: it would reach outside x, into "
        f"memory that holds Python objects."
    )
    return message, summary


def foreign_objects_message(
    x: npt.NDArray[Any],
    owner: npt.NDArray[Any],
    shape: tuple[int, ...],
    strides: tuple[int, ...],
    offset: int | None,
    index: tuple[int, ...] | None,
) -> tuple[str, str]:
    """(message, summary) for a view whose elements are not x's, over objects."""
    what = _holds_objects(x, owner)
    if offset is None:
        where = (
            f"safestride could not prove that every element of the view is an "
            f"element of x (too many to enumerate, {ENUMERATION_LIMIT} at most)"
        )
        short = "its elements could not be proven to be x's"
    else:
        where = (
            f"{_at(index)} would start at byte {offset}, which is not the start of "
            f"an element of x"
        )
        short = f"{_at(index)} would start at byte {offset}, not on an element of x"
    if x.dtype.hasobject:
        danger = (
            "Its bytes are not an object pointer; reading them as one crashes the "
            "interpreter."
        )
    else:
        danger = (
            "The view would cover the object pointers next to x's elements: "
            "writing it overwrites them, and the next use of those objects crashes "
            "the interpreter."
        )
    message = _paragraph(
        f"{OBJECTS_REFUSED} {describe_array(x)} (strides {x.strides}): {what}, and "
        f"{where}. {danger} Asked for shape {shape}, strides {strides}: use "
        f"strides that are multiples of x.strides, inside x. This is refused at "
        f"every bounds level, and with check_bounds=False."
    )
    summary = f"{OBJECTS_REFUSED} {describe_array(x)}: {short}, over Python objects."
    return message, summary


def pointers_under_x_message(
    x: npt.NDArray[Any], owner: npt.NDArray[Any]
) -> tuple[str, str]:
    """(message, summary) for a view of an x whose own bytes are pointers."""
    what = _holds_objects(x, owner)
    message = _paragraph(
        f"{OBJECTS_REFUSED} {describe_array(x)}: {what}, and x itself already "
        f"lies over some of the object pointers (an earlier as_strided view "
        f"with strides that do not skip them?). Writing through a view of it "
        f"overwrites a pointer, which crashes the interpreter. Make x from the "
        f"record array's field (records['value']) with its own strides."
    )
    summary = (
        f"{OBJECTS_REFUSED} {describe_array(x)}: x itself lies over Python "
        f"object pointers."
    )
    return message, summary


def _holds_objects(x: npt.NDArray[Any], owner: npt.NDArray[Any]) -> str:
    if owner is x or x.dtype.hasobject:
        return "it holds Python objects"
    fields = [
        repr(name)
        for name, (dtype, *_) in (owner.dtype.fields or {}).items()
        if dtype.hasobject
    ]
    if fields:
        several = len(fields) > 1
        return (
            f"it shares its memory with a record array of shape {owner.shape} whose "
            f"field{'s' if several else ''} {', '.join(fields)} "
            f"hold{'' if several else 's'} Python objects"
        )
    return (
        f"it shares its memory with an array of shape {owner.shape} holding "
        f"Python objects"
    )


def _paragraph(text: str) -> str:
    return textwrap.fill(text, MESSAGE_WIDTH, subsequent_indent="  ")


def _what_x_holds(x: npt.NDArray[Any]) -> str:
    return "object pointers" if x.dtype.hasobject else "not object pointers"
