"""Pure decisions: no I/O, no subprocesses, no clients. Tested with parametrize."""
