"""Stage module (placeholder until its issue lands)."""


def add_arguments(parser):
    pass


def run_cli(args):
    raise NotImplementedError("this command is not written yet")
