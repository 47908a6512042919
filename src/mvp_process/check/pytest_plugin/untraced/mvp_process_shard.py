"""`-p mvp_process_shard`, loaded untraced by coverage.py (see __init__.py)."""

import linecache
from pathlib import Path

_SOURCE = Path(__file__).resolve().parent.parent / "mvp_process_shard.py"
_NAME = f"<mvp-process plugin {_SOURCE}>"
_TEXT = _SOURCE.read_text(encoding="utf-8")
linecache.cache[_NAME] = (len(_TEXT), None, _TEXT.splitlines(True), _NAME)
exec(compile(_TEXT, _NAME, "exec", dont_inherit=True))
