"""Bulk scoring: ``toxicity score INPUT OUTPUT``, a whole archive of comments scored from the command line.

A fourth part beside ``training`` and ``service``, with one arrow: ``bulk -> model``.
It imports neither ``training`` nor ``service`` (nor FastAPI; a test checks), so a
batch job needs only the model. ``training/cli.py`` registers the ``score``
subcommand from ``bulk.cli``; ``python -m bulk`` runs it alone.

One run, in order:

* ``formats``  which format and compression a file name means; compressed streams;
* ``readers``  the input, read in chunks of rows (CSV, JSONL, Parquet), never whole;
* ``rows``     in a worker process: each chunk's rows checked (a bad row becomes a
  reject with its reason), scored with the model's fast batch scorer, and encoded;
* ``writers``  the encoded chunks and rejects; the final output assembled from them;
* ``state``    the run's folder beside the output: committed chunks and the input's
  fingerprint, so ``--resume`` scores only what was not committed;
* ``run``      the pipeline (a bounded queue of chunks to the workers, committed in
  order), the progress bar (``progress``) and the summary;
* ``cli``      the command's arguments.
"""
