"""Driving a value bias (a logits processor) step by step on a fake vocabulary, as generate()
would: shared by the tests of the option and list-end biases."""


def scores_after(processor, ids: list[int], best: int, vocab: int, scores=None) -> list[float]:
    """Feed the token `ids` through `processor` one step at a time (at each of those steps the
    likeliest token is id 0), then process one more step whose likeliest token is `best`;
    return that last step's scores. `scores`: the row of logits each step starts from (zeros)."""
    import torch

    for step in range(len(ids) + 1):
        step_scores = torch.zeros(1, vocab) if scores is None else scores.clone()
        step_scores[0, best if step == len(ids) else 0] = 5.0
        out = processor(torch.tensor([[0] + ids[:step]]), step_scores)
    return out[0].tolist()
