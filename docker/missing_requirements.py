"""Print the requirements (from a requirements file) that this environment does not satisfy.

Used by docker/entrypoint.sh so that installing funcall_lib into the Unsloth image adds only
what is missing and never replaces the image's torch, transformers, trl or unsloth.
"""

from __future__ import annotations

import sys
from importlib.metadata import PackageNotFoundError, version

from packaging.requirements import Requirement


def missing(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        try:
            have = version(req.name)
        except PackageNotFoundError:
            out.append(str(req))
            continue
        if not req.specifier.contains(have, prereleases=True):
            # Present but outside our range: report it, never replace it (the image wins).
            print(f"note: {req.name} {have} is outside {req.specifier}; keeping the image's",
                  file=sys.stderr)
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        for requirement in missing(fh.readlines()):
            print(requirement)  # one per line: a requirements file for pip install -r
