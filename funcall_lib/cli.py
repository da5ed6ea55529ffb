"""The `funcall` command (also `python -m funcall_lib`).

Each subcommand lives in the module of its stage: that module defines `add_arguments(parser)`
and `run_cli(args) -> int`. This file only wires names to modules, so a stage's flags are read
beside the code that uses them. Stage modules keep heavy imports (torch, transformers) inside
functions, so `funcall --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# (command, subcommand or None, module, help)
COMMANDS = [
    ("data", "build", "funcall_lib.synth", "generate the bundled train/dev/test corpus"),
    ("data", "convert", "funcall_lib.formats", "convert hermes/xlam/glaive/openai/seed/bfcl to records"),
    ("data", "validate", "funcall_lib.records", "check records; file:line: reason per bad one"),
    ("train", None, "funcall_lib.train", "LoRA/QLoRA SFT on records (loss on the answer only)"),
    ("infer", None, "funcall_lib.infer", "generate a tool call for one prompt (constrained by default)"),
    ("eval", None, "funcall_lib.evaluate", "score a model or predictions on records or BFCL"),
    ("compare", None, "funcall_lib.compare", "is run B better than run A? fixed, broken and a sign test on the same records"),
    ("calibrate", None, "funcall_lib.call_bias", "choose --call-bias on held-out eval examples (decisions right per bias)"),
    ("merge", None, "funcall_lib.merge", "merge an adapter into a 16-bit base, optionally verified"),
    ("push", None, "funcall_lib.hub", "idempotent upload of folders to the Hugging Face Hub"),
    ("bench", "train", "funcall_lib.bench", "training speed and memory: unsloth vs transformers+peft"),
    ("bench", "decode", "funcall_lib.bench", "decoding speed: free vs constrained"),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="funcall", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    top = parser.add_subparsers(dest="command", required=True)
    groups: dict[str, argparse._SubParsersAction] = {}
    for command, sub, module_name, help_text in COMMANDS:
        module = importlib.import_module(module_name)
        if sub is None:
            p = top.add_parser(command, help=help_text, description=help_text)
        else:
            if command not in groups:
                g = top.add_parser(command, help=f"{command} subcommands")
                groups[command] = g.add_subparsers(dest="subcommand", required=True)
            p = groups[command].add_parser(sub, help=help_text, description=help_text)
        adder = getattr(module, f"add_{sub}_arguments" if sub and command == "bench" else "add_arguments")
        adder(p)
        runner = getattr(module, f"run_{sub}_cli" if sub and command == "bench" else "run_cli")
        p.set_defaults(_run=runner)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        # Our own errors carry file:line or a remedy in their message; show that, not a traceback.
        if args.verbose:
            raise
        print(f"funcall: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
