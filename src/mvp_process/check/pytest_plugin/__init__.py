"""The pytest plugins mvp-process loads into the project's pytest.

`mvp_process_results` (every run: counts and failures) and `mvp_process_shard`
(`check --shard`) run in the project's own interpreter, so they import nothing
from mvp-process. The folder `untraced/` (not this package) is put first on
that interpreter's PYTHONPATH, so `-p mvp_process_results` works even where
mvp-process itself is not installed; see `untraced/__init__.py` for why the
plugins are loaded through it rather than from here.
"""
