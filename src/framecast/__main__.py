"""``python -m framecast`` is the ``framecast`` command."""

from framecast.cli.main import main

main()
