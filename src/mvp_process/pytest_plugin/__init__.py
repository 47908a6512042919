"""The pytest plugin of `check --shard`, importable without mvp-process.

This folder (not the package) is put on PYTHONPATH of the project's pytest, so
`-p mvp_process_shard` works even where mvp-process itself is not installed.
"""
