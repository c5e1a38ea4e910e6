"""``autograder serve``: students upload notebooks, a queue grades them, everyone reads results.

app (the ASGI application: pages and API) · auth (roster, hashed tokens, CSRF) · store
(content-addressed uploads and the SQLite job table) · worker (the dispatcher that runs the
grading pipeline on a process pool or a Dask cluster, outside the web process's event loop)
· policy (which submission counts, deadlines, late rule, daily limits) · cli (roster, serve).
"""
