"""`funcall bench train|decode`: the command-line flags; the harnesses are bench_train.py and bench_decode.py."""


def add_train_arguments(parser):
    """Flags of `funcall bench train`; the harness itself is in bench_train.py."""
    from funcall_lib.bench_train import BenchTrainConfig

    d = BenchTrainConfig()
    parser.add_argument("--shape", default=d.shape, help="llama-3.2-1b | smollm2-135m | llama-3.1-8b | "
                        "embedded (real weights); random weights for the named shapes")
    parser.add_argument("--backends", default="hf,unsloth", help="comma list, each run in its own process")
    parser.add_argument("--load-in-4bit", action="store_true", help="QLoRA (bitsandbytes nf4)")
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--seq-len", type=int, default=d.seq_len)
    parser.add_argument("--lora-r", type=int, default=d.lora_r)
    parser.add_argument("--steps", type=int, default=d.steps)
    parser.add_argument("--warmup", type=int, default=d.warmup)
    parser.add_argument("--tokens", choices=["random", "data"], default=d.tokens)
    parser.add_argument("--data", help="records JSONL for --tokens data (e.g. runs/x/data/train.jsonl)")
    parser.add_argument("--pad-multiple", type=int, default=d.pad_multiple,
                        help="--tokens data: round row widths up to this multiple (fixed batch shapes)")
    parser.add_argument("--padding-free", action="store_true",
                        help="--tokens data: concatenate records into one row per step (no padding)")
    parser.add_argument("--no-gradient-checkpointing", action="store_true")
    parser.add_argument("--tokenizer", help="tokenizer dir for the random shapes (default: embedded)")
    parser.add_argument("--out", help="write the results as JSON here")


def run_train_cli(args) -> int:
    from funcall_lib.bench_train import BenchTrainConfig, compare
    from funcall_lib.models import cuda_available

    if not cuda_available():
        raise RuntimeError("funcall bench train measures GPU training; no CUDA device is visible")
    if args.tokens == "data" and not args.data:
        raise ValueError("--tokens data needs --data FILE (a records JSONL)")
    cfg = BenchTrainConfig(shape=args.shape, load_in_4bit=args.load_in_4bit, batch_size=args.batch_size,
                           seq_len=args.seq_len, lora_r=args.lora_r, lora_alpha=2 * args.lora_r,
                           steps=args.steps, warmup=args.warmup, tokens=args.tokens, data=args.data,
                           pad_multiple=args.pad_multiple, padding_free=args.padding_free,
                           gradient_checkpointing=not args.no_gradient_checkpointing,
                           tokenizer=args.tokenizer)
    compare(cfg, backends=tuple(args.backends.split(",")), out=args.out)
    return 0


def add_decode_arguments(parser):
    """Flags of `funcall bench decode`; the harness itself is in bench_decode.py."""
    from funcall_lib.bench_decode import BenchDecodeConfig
    from funcall_lib.nudges import VALUE_BIASES, add_arguments as add_nudge_arguments

    d = BenchDecodeConfig()
    parser.add_argument("--model", default=d.model, help="model id (embedded, a dir, a Hub id)")
    parser.add_argument("--adapter", help="LoRA adapter directory")
    parser.add_argument("--data", help="records JSONL (default: built-in prompts, bundled tools)")
    parser.add_argument("--n", type=int, default=d.n, help="number of prompts")
    parser.add_argument("--batch-size", type=int, default=d.batch_size)
    parser.add_argument("--max-new-tokens", type=int, default=d.max_new_tokens)
    parser.add_argument("--repeats", type=int, default=d.repeats, help="report the median of these")
    parser.add_argument("--tool-choice", choices=["auto", "required"], default=d.tool_choice)
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--dtype", choices=["bf16", "fp32"],
                        help="model weights (default: bf16 on GPUs and on CPUs with bf16 in "
                             "hardware, else fp32)")
    parser.add_argument("--unmerged", action="store_true",
                        help="time --adapter's LoRA layers attached (default: merged into the weights)")
    add_nudge_arguments(parser, VALUE_BIASES, also=dict.fromkeys(
        VALUE_BIASES, "; constrained passes use it, its own cost is timed apart"))
    parser.add_argument("--out", help="write the results as JSON here")


def run_decode_cli(args) -> int:
    from funcall_lib.bench_decode import BenchDecodeConfig, print_result, run
    from funcall_lib.nudges import VALUE_BIASES, Nudges
    from funcall_lib.io import write_json_atomic

    if args.n < 1 or args.batch_size < 1 or args.repeats < 1:
        raise ValueError("--n, --batch-size and --repeats must be at least 1")
    cfg = BenchDecodeConfig(model=args.model, adapter=args.adapter, data=args.data, n=args.n,
                            batch_size=args.batch_size, max_new_tokens=args.max_new_tokens,
                            repeats=args.repeats, tool_choice=args.tool_choice,
                            threads=args.threads, dtype=args.dtype,
                            nudges=Nudges(**{name: getattr(args, name) for name in VALUE_BIASES}),
                            merge_adapter=not args.unmerged)
    result = run(cfg)
    if args.out:
        write_json_atomic(args.out, result)
    print_result(result)
    return 0
