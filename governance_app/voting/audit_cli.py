"""``governance-audit``: re-count and verify an audit bundle without the platform.

    governance-audit tally FILE    print the result JSON (exit 0; 2 if malformed)
    governance-audit verify FILE   recompute the commitment (owners-vote/2), trackers, chain
                                   and tally: exit 0 if all match, saying which format was
                                   checked; 1 naming the first mismatch; 2 if malformed

Whatever is wrong with a file that is not a bundle, the answer is exit 2 and one line naming
the problem, never a traceback: exit 1 means only that a well-formed bundle does not match.
Needs only the Python standard library.
"""
from __future__ import annotations

import argparse
import json
import re
import sys

from . import bundle

# Control and direction-changing characters of a field named by the file must not reach the
# console as they are: they could end the line early or dress it up as another message.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="governance-audit",
        description=f"Re-count and verify an owners' vote audit bundle ({', '.join(bundle.FORMATS)}).")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("tally", "print the result of counting the bundle's ballots"),
                       ("verify", "check the commitment, trackers, hash chain and result against a re-count")):
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
        _err(f"governance-audit: cannot read {args.file}: {error.strerror}")
        return 2
    except Exception as error:  # noqa: BLE001 - the contract: one line and exit 2, never a traceback
        _err(f"governance-audit: cannot check this file: {type(error).__name__}: {error}")
        return 2
    checked = data["format"]
    if mismatch:
        _err(f"MISMATCH: {mismatch} (checked as {checked})")
        return 1
    covered = "commitment, trackers, chain" if checked == bundle.FORMAT_2 else "trackers, chain"
    lines = [f"OK ({checked}): {covered} and result match the re-count"]
    if checked == bundle.FORMAT_2:
        lines.append(f"commitment: {data['commitment']}")
    lines.append(f"final chain value: {bundle.final_chain(data)}")
    _out("\n".join(lines))
    return 0


def one_line(message: str) -> str:
    return UNSAFE.sub(lambda found: f"\\x{ord(found.group()):02x}" if ord(found.group()) < 0x100
                      else f"\\u{ord(found.group()):04x}", message)


def _err(message: str) -> None:
    sys.stderr.buffer.write((one_line(message) + "\n").encode("utf-8", "backslashreplace"))
    sys.stderr.flush()


def _out(text: str) -> None:
    sys.stdout.buffer.write((text + "\n").encode("utf-8", "backslashreplace"))
    sys.stdout.flush()


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


if __name__ == "__main__":
    sys.exit(main())
