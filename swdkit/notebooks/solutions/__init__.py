"""Worked answers to the lesson notebooks' exercises, one module per notebook (``nbNN``).

Each module defines ``SOLUTIONS = {exercise number: function}``; the function takes the
notebook's namespace and returns ``{answer name: worked answer}``.
:func:`swdkit.notebooks.fill_solutions` uses them when a notebook runs with ``solutions=True``
(``make run`` and CI); a student running the notebook sees only blanks. Read one after trying.
"""
