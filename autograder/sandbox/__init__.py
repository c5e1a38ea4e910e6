"""The execute stage: run an assembled program in a separate, limited process.

``execute(program, limits)`` is the one interface the pipeline uses; how the process is
confined lives behind it (``runner``), and the harness is the only grader code that runs
beside student code.
"""

from autograder.execution import Execution
from autograder.sandbox.launch import Limits
from autograder.sandbox.runner import execute

__all__ = ["Execution", "Limits", "execute"]
