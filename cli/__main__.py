"""``python -m cli``: the same as the ``sozialraum`` command."""

import sys

from cli import main

__all__: list[str] = []

sys.exit(main())
