"""Exercises that start blank, worked answers on request, and checks with a helpful message.

A lesson's exercise cell leaves each answer as ``...`` (Python's Ellipsis, :data:`BLANK`)::

    my_chance = ...  # your answer here

The next cell calls :func:`fill_solutions`: with the notebook parameter ``solutions=True`` (what
``make run`` and CI pass) it fills every answer that is still blank with the worked answer of
:mod:`swdkit.notebooks` (one private module per notebook, ``_solutions_NN``,
whose ``SOLUTIONS`` maps an exercise's number to a function of the notebook's namespace that
returns ``{answer name: worked answer}``), so the executed series
runs headless; with ``solutions=False`` (a student's default) it leaves them alone. The check
cell calls :func:`check_answer` for each answer: a wrong one stops the notebook with an
``AssertionError`` that says which exercise and gives a hint; a blank one only prints "not
attempted yet" with the hint and how to see the worked answer, so Run All, Voila and the slider
apps never stop at an exercise the reader skipped (``make run`` and CI fill every blank, so there
every check runs).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, MutableMapping
from typing import Any

BLANK = ...  # an answer not given yet


class ExerciseError(AssertionError):
    """An exercise left blank or answered wrongly (an AssertionError, so ``assert`` habits hold)."""


def is_blank(value: Any) -> bool:
    """True for an answer not given yet: :data:`BLANK` (``...``) or None."""
    return value is BLANK or value is None


def _solutions_module(notebook: str) -> Any:
    number = notebook[:2]
    if not number.isdigit():
        raise ValueError(f"notebook must start with its two-digit number, e.g. '02' or "
                         f"'02_eo_pretraining'; got {notebook!r}")
    try:
        return importlib.import_module(f"swdkit.notebooks._solutions_{number}")
    except ModuleNotFoundError as err:
        raise ValueError(f"no worked answers for notebook {number}: swdkit.notebooks has no "
                         f"module _solutions_{number}") from err


def fill_solutions(namespace: MutableMapping[str, Any], notebook: str, exercise: int, *,
                   solutions: bool) -> list[str]:
    """Fill the blank answers of one exercise with the worked ones when ``solutions`` is True.

    Args:
        namespace: the notebook's ``globals()``; the worked answer may read the notebook's
            variables from it.
        notebook: the notebook's number (``"02"``; a file name starting with it works too).
        exercise: the exercise's number in that notebook.
        solutions: the notebook parameter; False leaves every answer as it is.

    Returns:
        The names that were filled (empty when ``solutions`` is False or none was blank).

    Raises:
        ValueError: the notebook or the exercise has no worked answer.
    """
    if not isinstance(solutions, bool):
        raise TypeError(f"solutions must be True or False, got {solutions!r}")
    if not solutions:
        return []
    table: dict[int, Callable[[MutableMapping[str, Any]], dict[str, Any]]] = (
        _solutions_module(notebook).SOLUTIONS)
    if exercise not in table:
        raise ValueError(f"notebook {notebook[:2]} has worked answers for exercises "
                         f"{sorted(table)}, not {exercise!r}")
    filled = []
    for name, value in table[exercise](namespace).items():
        if is_blank(namespace.get(name, BLANK)):
            namespace[name] = value
            filled.append(name)
    if filled:
        print(f"exercise {exercise}: worked answer filled in for {', '.join(filled)} "
              "(solutions=True)")
    return filled


def check_answer(exercise: str, answer: Any, test: Callable[[Any], bool], hint: str) -> bool:
    """Check one answer: True when ``test(answer)`` holds; False, with a note, when it is blank.

    A blank answer only prints "not attempted yet" (so Run All, Voila and the slider apps never
    stop at an exercise the reader skipped); a wrong one stops the notebook.

    Args:
        exercise: how the message names it, e.g. ``"exercise 1 (chance level)"``.
        answer: the student's value.
        test: returns whether the answer is right (exceptions it raises count as wrong).
        hint: what the right answer is made of, without giving it away.

    Returns:
        True for a right answer, False for a blank one.

    Raises:
        ExerciseError: the answer is wrong (with the hint), or could not be checked.
    """
    if is_blank(answer):
        print(f"{exercise}: not attempted yet. Replace the ... in the exercise cell by your "
              f"answer and run it again (or set the parameter solutions = True to see a worked "
              f"answer). Hint: {hint}")
        return False
    try:
        right = bool(test(answer))
    except Exception as err:  # a malformed answer is a wrong answer, with the reason
        raise ExerciseError(f"{exercise}: the answer could not be checked ({type(err).__name__}: "
                            f"{err}). Hint: {hint}") from err
    if not right:
        raise ExerciseError(f"{exercise}: not right yet. Hint: {hint}")
    return True
