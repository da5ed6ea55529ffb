"""funcall_lib: fine-tune open LLMs for function calling, then evaluate, merge and publish them.

One module per pipeline stage (see the README's map). Importing the package is cheap: heavy
libraries (torch, transformers, unsloth) are imported by the stage that needs them.
"""

__version__ = "0.1.0"
