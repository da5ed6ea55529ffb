"""Driving a value bias (a logits processor) step by step on a fake vocabulary, as generate()
would (shared by the tests of the option and list-end biases), and through generate() itself
with a tiny random model (the word-finish and name biases)."""


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


def city_per_user(model, tokenizer, pattern: str, users: list[str], nudges=None) -> list[str]:
    """The `city` that generate() writes for each user's message, one call each, offered one
    tool whose only parameter is a city matching `pattern` (so the grammar leaves the model a
    choice the bias under test can settle)."""
    from funcall_lib import infer
    from funcall_lib.nudges import Nudges

    tool = {"name": "city_info", "description": "Facts about a city.",
            "parameters": {"type": "object", "properties": {"city": {"type": "string", "pattern": pattern}},
                           "required": ["city"]}}
    records = [{"id": str(i), "tools": [tool], "messages": [{"role": "user", "content": text}]}
               for i, text in enumerate(users)]
    gens = infer.generate(model, tokenizer, records, tool_choice="required", max_new_tokens=80, max_calls=1,
                          batch_size=len(users), nudges=nudges or Nudges())
    return [g.calls[0]["arguments"]["city"] for g in gens]


def rival_after(bias_class, tokenizer, user: str, generated: str, best: int, rival: int, bonus: float,
                lead: float):
    """Feed `generated` (text, in the real tokenizer's tokens) through a `bias_class` made for
    `user`'s words (the word-finish bias or one built like it), then score one step where `best`
    leads `rival` by `lead` logits; return the processed scores of the two and the processor."""
    import torch

    from funcall_lib.copy_bias import token_pieces, tokens_by_first_char

    pieces = token_pieces(tokenizer, len(tokenizer))
    bias = bias_class([user], pieces, bonus=bonus, by_first_char=tokens_by_first_char(tokenizer, len(pieces)))
    ids = tokenizer(generated, add_special_tokens=False)["input_ids"]
    for step in range(len(ids) + 1):
        scores = torch.zeros(1, len(pieces))
        scores[0, best], scores[0, rival] = lead, 0.0
        out = bias(torch.tensor([ids[:step] or [0]]), scores)
    return out[0, best].item(), out[0, rival].item(), bias
