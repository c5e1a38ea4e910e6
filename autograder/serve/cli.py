"""``autograder serve`` and ``autograder roster``: parse, then call the service's library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from autograder.course import Course
from autograder.errors import GraderError

DATA = ".autograder-serve"  # the service's folder, in the course folder unless --data


def add_parsers(verbs: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` and ``roster`` verbs."""
    srv = verbs.add_parser("serve", help="a web service: students upload notebooks and "
                                         "read their feedback; instructors watch the class")
    srv.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only; "
                          "put a reverse proxy with TLS in front for a class)")
    srv.add_argument("--port", type=int, default=8000)
    srv.add_argument("-j", "--jobs", type=int, default=None,
                     help="submissions graded at once (default: one per core, as memory "
                          "allows)")
    srv.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                     help="grade on a running Dask cluster instead of local processes")
    srv.add_argument("--data", type=Path, default=None,
                     help=f"the service's folder: uploads, job table, gradebook (default: "
                          f"COURSE/{DATA})")
    srv.add_argument("--max-upload-mb", type=float, default=20.0,
                     help="the largest notebook accepted (default: 20)")
    srv.add_argument("--uploads-per-minute", type=int, default=6,
                     help="per person, besides the course's per_day policy (default: 6)")
    srv.add_argument("--secure-cookies", action="store_true",
                     help="send cookies over HTTPS only (behind a TLS reverse proxy)")
    srv.add_argument("--no-cache", dest="use_cache", action="store_false",
                     help="grade every upload, even a notebook graded before")
    srv.add_argument("--demo-roster", type=Path, metavar="CSV",
                     help="give everyone in this roster a new token at start and print "
                          "their login links (for a demonstration, never for a class)")
    srv.add_argument("--unconfined", action="store_true",
                     help="grade even where the sandbox's essential protections are missing "
                          "(only notebooks you trust; results are marked UNCONFINED)")

    ros = verbs.add_parser("roster", help="who may use the service: students and instructors")
    ros.add_argument("--data", type=Path, default=None, help=f"the service's folder "
                                                             f"(default: COURSE/{DATA})")
    what = ros.add_subparsers(dest="roster_verb", required=True)
    add = what.add_parser("add", help="add a person; prints their token (shown only once)")
    add.add_argument("id")
    add.add_argument("--name", default="")
    add.add_argument("--instructor", action="store_true", help="an instructor (sees everyone)")
    add.add_argument("--new-token", action="store_true",
                     help="give someone already on the roster a new token (the old one stops "
                          "working)")
    imp = what.add_parser("import", help="add everyone in a CSV with columns id,name,role; "
                                         "prints id,token lines")
    imp.add_argument("csv", type=Path)
    imp.add_argument("--new-tokens", action="store_true",
                     help="new tokens for people already on the roster")
    what.add_parser("list", help="the roster (tokens are stored hashed: never shown)")


def data_folder(course: Course, data: Path | None) -> Path:
    """The service's folder."""
    return data if data is not None else course.root / DATA


def run(course: Course, args: argparse.Namespace) -> int:
    """Run ``serve`` or ``roster``."""
    if args.verb == "roster":
        return _roster(course, args)
    return _serve(course, args)


def _roster(course: Course, args: argparse.Namespace) -> int:
    from autograder.serve import auth
    from autograder.serve.store import Store

    store = Store(data_folder(course, args.data))
    if args.roster_verb == "add":
        token = auth.add_person(store, args.id, args.name,
                                auth.INSTRUCTOR if args.instructor else auth.STUDENT,
                                replace=args.new_token)
        print(f"{args.id},{token}")
    elif args.roster_verb == "import":
        for person_id, token in auth.import_roster(store, args.csv, replace=args.new_tokens):
            print(f"{person_id},{token}")
    else:
        for p in auth.people(store):
            print(f"{p.id},{p.name},{p.role}")
    return 0


def _serve(course: Course, args: argparse.Namespace) -> int:
    import uvicorn

    from autograder.batch import default_jobs
    from autograder.grade import confinement_check
    from autograder.serve import auth
    from autograder.serve.app import create_app
    from autograder.serve.store import Store
    from autograder.serve.web import Settings
    from autograder.serve.worker import make_pool

    if args.jobs is not None and args.jobs < 1:
        raise GraderError("--jobs must be at least 1")
    unconfined = confinement_check(args.unconfined)
    data = data_folder(course, args.data)
    store = Store(data)
    lock = _lock(data)  # held until the process ends (even by kill -9)
    base = f"http://{args.host}:{args.port}"
    if args.demo_roster is not None:
        for person_id, token in auth.import_roster(store, args.demo_roster, replace=True):
            print(f"  {person_id}: {base}/login?token={token}")
    if not auth.people(store):
        print("note: the roster is empty; add people with 'autograder roster add ID' or "
              "'autograder roster import roster.csv'", file=sys.stderr)
    biggest = max(course.assignments, key=lambda a: a.memory_limit_mb)
    pool = make_pool(args.jobs or default_jobs(biggest), args.scheduler)
    settings = Settings(course=course, data=data,
                        max_upload_bytes=int(args.max_upload_mb * 2**20),
                        uploads_per_minute=args.uploads_per_minute,
                        secure_cookies=args.secure_cookies, unconfined=unconfined,
                        use_cache=args.use_cache)
    app = create_app(settings, pool)
    print(f"serving {course.name} on {base} (grading on {pool.where}, {pool.workers} at "
          f"once; data in {data})", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    lock.close()
    return 0


def _lock(data: Path) -> IO[bytes]:
    """One service per data folder: a second one would grade the first one's jobs again."""
    import fcntl

    fh = open(data / "serve.lock", "wb")  # noqa: SIM115 - held for the process's life
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        fh.close()
        raise GraderError(f"another 'autograder serve' uses {data}; stop it first, or give "
                          "this one its own --data folder") from exc
    return fh
