"""``citizen-graph portal-manifest``: write the portal's persisted-query manifest."""

import argparse
import json

from gateway.portal import MANIFEST, OPERATIONS, build_manifest, manifest_text


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``portal-manifest`` to the command line."""
    parser = subparsers.add_parser(
        "portal-manifest",
        help="write the portal's persisted-query manifest from its operations",
        description=f"Regenerate {MANIFEST.name} from {OPERATIONS.name}.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check that the manifest is current; exit 1 when it is not",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Write (or check) the manifest; 1 when ``--check`` finds it stale."""
    text = manifest_text(build_manifest(OPERATIONS.read_text("utf-8")))
    if args.check:
        current = MANIFEST.read_text("utf-8") if MANIFEST.exists() else ""
        if current != text:
            print(f"{MANIFEST} is stale; run citizen-graph portal-manifest.")
            return 1
        return 0
    MANIFEST.write_text(text, "utf-8")
    count = len(json.loads(text)["operations"])
    print(f"wrote {count} operations to {MANIFEST}")
    return 0
