"""``governance-audit``: re-count and verify an audit bundle without the platform.

    governance-audit tally FILE    print the result JSON (exit 0; 2 if malformed)
    governance-audit verify FILE   recompute trackers, chain and tally: exit 0 if all
                                   match, 1 naming the first mismatch, 2 if malformed

Needs only the Python standard library.
"""
from __future__ import annotations

import argparse
import json
import sys

from . import bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="governance-audit",
                                     description="Re-count and verify an owners' vote audit bundle (owners-vote/1).")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("tally", "print the result of counting the bundle's ballots"),
                       ("verify", "check trackers, hash chain and result against a re-count")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("file", help="the bundle (JSON); - for standard input")
    args = parser.parse_args(argv)
    try:
        text = sys.stdin.buffer.read() if args.file == "-" else _read(args.file)
        data = bundle.load(text)
        if args.command == "tally":
            # UTF-8 whatever the console's encoding, so Chinese ids never crash the output.
            text_out = json.dumps(bundle.tally(data), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            sys.stdout.buffer.write(text_out.encode("utf-8"))
            sys.stdout.flush()
            return 0
        mismatch = bundle.verify(data)
    except bundle.BundleError as error:
        _err(f"governance-audit: malformed bundle: {error.field}: {error.problem}")
        return 2
    except OSError as error:
        print(f"governance-audit: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    if mismatch:
        _err(f"MISMATCH: {mismatch}")
        return 1
    print("OK: trackers, chain and result match the re-count")
    return 0


def _err(message: str) -> None:
    sys.stderr.buffer.write((message + "\n").encode("utf-8"))
    sys.stderr.flush()


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


if __name__ == "__main__":
    sys.exit(main())
