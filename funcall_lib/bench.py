"""Speed and memory benchmarks (placeholder until its issue lands)."""


def add_train_arguments(parser):
    pass


def run_train_cli(args):
    raise NotImplementedError("funcall bench train is not written yet")


def add_decode_arguments(parser):
    pass


def run_decode_cli(args):
    raise NotImplementedError("funcall bench decode is not written yet")
