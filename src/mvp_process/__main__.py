from __future__ import annotations

from mvp_process.cli import main

raise SystemExit(main())
