"""Auto-graded exercises for an introductory TensorFlow course."""

import sys

__version__ = "0.1.0"

# jsonschema (behind nbformat's validation) builds a grammar for the "iri" string format at
# import when rfc3987_syntax is installed (a dependency of Jupyter's tools): 1.2 s of every
# grader process's start (the command, each worker). No notebook schema uses that format,
# and jsonschema skips the check when the module is absent, which this makes it. Only in the
# installed package: the copy bundled into a student's notebook (no __file__) leaves the
# student's kernel alone.
if "__file__" in globals():
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
