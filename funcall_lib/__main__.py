"""`python -m funcall_lib` is the same as the `funcall` command."""

from funcall_lib.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
