"""The Gradescope adapter: build an autograder zip for one assignment, and run it there.

``build`` writes ``setup.sh`` (installs the grader, pinned as here, and bubblewrap),
``run_autograder`` and, under ``course/`` and ``grader/``, the assignment's part of the
course (with its reference facts) and the grader's source. Gradescope unzips it into
``/autograder/source`` and runs ``run_autograder`` per submission, which calls ``run``.
"""
