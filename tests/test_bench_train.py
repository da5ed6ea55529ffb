"""The training benchmark's batching of real records (CPU: only tokenizing and batching)."""

import pytest

from funcall_lib.bench_train import BenchTrainConfig, bucket_width, data_batches, format_table
from funcall_lib.synth import build_dataset


@pytest.fixture(scope="module")
def train_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    build_dataset(out, n=300, seed=3)
    return out / "train.jsonl"


def _shapes(batches):
    return [tuple(b["input_ids"].shape) for b in batches]


@pytest.mark.parametrize("pad_multiple", [1, 64])
def test_batches_keep_the_token_budget_and_label_only_answers(tool_tokenizer, train_file, pad_multiple):
    cfg = BenchTrainConfig(tokens="data", data=str(train_file), batch_size=4, seq_len=1024,
                           steps=6, warmup=2, pad_multiple=pad_multiple)
    batches, warmup = data_batches(cfg, tool_tokenizer, cfg.steps)
    assert len(batches) == warmup + cfg.steps and warmup >= cfg.warmup
    for b in batches:
        rows, width = b["input_ids"].shape
        assert rows * width <= cfg.batch_size * cfg.seq_len
        mask, labels = b["attention_mask"].bool(), b["labels"]
        assert (labels[~mask] == -100).all()  # padding is never trained
        assert ((labels != -100).sum(1) > 0).all()  # every row has answer tokens
        assert ((labels != -100) <= mask).all()
        real = mask.sum(1)
        assert b["real"] == int(real.sum())  # what the timer counts as useful tokens
        assert (b["input_ids"][mask] != tool_tokenizer.pad_token_id).any()
        if pad_multiple > 1:
            assert width % pad_multiple == 0 and width == bucket_width(int(real.max()), pad_multiple)
        else:
            assert width == int(real.max())


def test_buckets_give_few_shapes_and_warm_each_up(tool_tokenizer, train_file):
    cfg = BenchTrainConfig(tokens="data", data=str(train_file), batch_size=4, seq_len=1024,
                           steps=30, warmup=1, pad_multiple=128)
    batches, warmup = data_batches(cfg, tool_tokenizer, cfg.steps)
    timed, warm = _shapes(batches[warmup:]), set(_shapes(batches[:warmup]))
    assert set(timed) <= warm  # no timed step sees a shape for the first time
    assert len(set(timed)) <= 1024 // 128
    # without buckets the same data gives many more distinct shapes
    free = BenchTrainConfig(**{**cfg.__dict__, "pad_multiple": 1})
    free_batches, free_warm = data_batches(free, tool_tokenizer, free.steps)
    assert len(set(_shapes(free_batches[free_warm:]))) > len(set(timed))


def test_bucket_width():
    assert [bucket_width(n, 64) for n in (1, 64, 65, 1000)] == [64, 64, 128, 1024]


def test_table_labels_buckets():
    row = {"backend": "unsloth", "load_in_4bit": False, "tokens": "data", "pad_multiple": 64,
           "shape": "smollm2-135m", "batch_size": 8, "seq_len": 1024, "tokens_per_s": 1000.0,
           "step_s_median": 0.1, "peak_vram_gib": 1.0, "mfu": 0.01, "useful_fraction": 0.9}
    assert "| data/64 |" in format_table([row])


def test_padding_free_rows(tool_tokenizer, train_file):
    cfg = BenchTrainConfig(tokens="data", data=str(train_file), batch_size=4, seq_len=1024,
                           steps=8, warmup=1, pad_multiple=256, padding_free=True)
    batches, warmup = data_batches(cfg, tool_tokenizer, cfg.steps)
    for b in batches:
        assert "attention_mask" not in b and b["input_ids"].shape[0] == 1
        width = b["input_ids"].shape[1]
        assert width % 256 == 0 and b["real"] <= width <= cfg.batch_size * cfg.seq_len + 255
        positions = b["position_ids"][0]
        starts = int((positions[: b["real"]] == 0).sum())  # one per record
        assert starts >= 2
        assert (b["labels"][0][positions == 0] == -100).all()  # no label across a record boundary
        assert (positions[b["real"]:] == 0).all()
    assert set(tuple(b["input_ids"].shape) for b in batches[warmup:]) <= \
        set(tuple(b["input_ids"].shape) for b in batches[:warmup])


def test_logical_numel_counts_packed_4bit_weights_in_full():
    """A bitsandbytes 4-bit weight holds two values per byte: MFU must count the real shape."""
    import types

    import torch

    from funcall_lib.bench_train import logical_numel

    dense = torch.nn.Parameter(torch.zeros(8, 4))
    packed = torch.nn.Parameter(torch.zeros(16, 1, dtype=torch.uint8), requires_grad=False)
    packed.quant_state = types.SimpleNamespace(shape=torch.Size([8, 4]))
    assert logical_numel(dense) == 32
    assert logical_numel(packed) == 32 and packed.numel() == 16
