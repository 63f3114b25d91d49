"""Exercises start blank, fill in only on request, and a blank or wrong answer stops with a hint;
saved figures carry a description that the figure rule reads."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from swdkit.notebooks import (  # noqa: E402
    BLANK,
    ExerciseError,
    _exercises,  # noqa: E402
    check_answer,
    figure_problems,
    fill_solutions,
    read_figure_description,
    save_figure,
)


class _FakeSolutions:
    SOLUTIONS = {1: lambda ns: {"my_answer": 2 * ns["x"], "my_other": "worked"}}


@pytest.fixture
def fake_notebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_exercises, "_solutions_module", lambda notebook: _FakeSolutions)


def test_solutions_fill_only_blank_answers_and_only_on_request(fake_notebook: None) -> None:
    ns = {"x": 21, "my_answer": BLANK, "my_other": "mine"}
    assert fill_solutions(ns, "09", 1, solutions=False) == []
    assert ns["my_answer"] is BLANK
    assert fill_solutions(ns, "09", 1, solutions=True) == ["my_answer"]
    assert ns["my_answer"] == 42 and ns["my_other"] == "mine"


def test_unknown_exercise_or_notebook_is_named(fake_notebook: None) -> None:
    with pytest.raises(ValueError, match="exercises \\[1\\]"):
        fill_solutions({}, "09", 3, solutions=True)
    with pytest.raises(TypeError):
        fill_solutions({}, "09", 1, solutions="yes")


def test_a_notebook_without_worked_answers_is_refused() -> None:
    with pytest.raises(ValueError, match="_solutions_98"):
        fill_solutions({}, "98", 1, solutions=True)


def test_wrong_answers_stop_with_a_hint_and_blank_ones_do_not(capsys) -> None:
    assert check_answer("exercise 1", BLANK, lambda a: a == 0.25, "one quarter") is False
    assert check_answer("exercise 1", None, lambda a: a == 0.25, "one quarter") is False
    printed = capsys.readouterr().out
    assert "exercise 1: not attempted yet" in printed and "solutions = True" in printed
    assert "Hint: one quarter" in printed
    with pytest.raises(ExerciseError, match="not right yet. Hint: one quarter"):
        check_answer("exercise 1", 0.3, lambda a: a == 0.25, "one quarter")
    with pytest.raises(ExerciseError, match="could not be checked"):
        check_answer("exercise 1", "a", lambda a: a + 1 == 2, "a number")
    assert check_answer("exercise 1", 0.25, lambda a: a == 0.25, "one quarter") is True
    assert issubclass(ExerciseError, AssertionError)


def test_every_lesson_with_exercises_has_worked_answers() -> None:
    import importlib
    import json
    from pathlib import Path

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    for path in sorted(notebooks.glob("[0-9][0-9]_*.ipynb")):
        source = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])
        for exercise in range(1, 10):
            call = f'fill_solutions(globals(), "{path.name[:2]}", {exercise},'
            if call in source:
                module = importlib.import_module(f"swdkit.notebooks._solutions_{path.name[:2]}")
                assert exercise in module.SOLUTIONS, f"{path.name}: exercise {exercise}"


def _figure(*, chance: bool, ylabel: str = "accuracy", title: str = "t"):
    fig, ax = plt.subplots()
    ax.plot([1, 2], [0.3, 0.4])
    ax.set_xlabel("labeled samples")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if chance:
        ax.axhline(0.25, label="chance")
    return fig


def test_saved_figures_are_described_and_judged(tmp_path) -> None:
    good = read_figure_description(save_figure(_figure(chance=True), tmp_path, "good"))
    assert figure_problems(good) == []
    no_chance = read_figure_description(save_figure(_figure(chance=False), tmp_path, "a"))
    assert any("chance line" in p for p in figure_problems(no_chance))
    unlabeled = read_figure_description(save_figure(_figure(chance=True, ylabel=""), tmp_path,
                                                    "b"))
    assert any("label both axes" in p for p in figure_problems(unlabeled))
    untitled = read_figure_description(save_figure(_figure(chance=True, title=""), tmp_path,
                                                   "c"))
    assert any("no title" in p for p in figure_problems(untitled))
    fig, ax = plt.subplots()
    ax.imshow([[0, 1], [1, 0]])
    ax.axis("off")
    fig.suptitle("a picture")
    assert figure_problems(read_figure_description(save_figure(fig, tmp_path, "pic"))) == []
    plt.close("all")
