"""``python -m cli``: the same as the ``sozialraum`` command."""

import sys

from cli import main

sys.exit(main())
