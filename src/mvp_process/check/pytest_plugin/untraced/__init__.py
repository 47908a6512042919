"""Loaders of our pytest plugins that keep them out of the project's coverage.

This folder is put first on the PYTHONPATH of the project's pytest, so
`-p mvp_process_results` imports `untraced/mvp_process_results.py`. Without
a `source` setting, coverage.py measures every file that runs outside the
standard library and site-packages, which would count our plugins' hooks
(running while the project's tests are measured) into the project's coverage
figure. So each loader compiles its plugin's source under a file name in
angle brackets, which coverage.py never traces ("not a real file name"), and
registers that source with `linecache` so tracebacks still show it. The
loaders themselves run only at import, before coverage starts (pytest
imports `-p` plugins before any other plugin is configured).
"""
