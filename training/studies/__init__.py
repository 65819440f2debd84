"""Studies of the model's limits: measurements behind issue 19's open targets, not part of training.

Each study loads the shared data (``../shared/data``) and the shipped model, and
prints what it measured; ``python -m training.studies --help`` lists them. They
measure on the validation split only (its report half where the model chose
anything on the tuning half), so no figure comes from rows the model trained on.

- ``dilution``: the best flag rate an abusive sentence can keep among benign ones
  for *any* combiner that flags by the top sentence score and the sentence count,
  given how the shipped model scores single sentences (``training.studies.dilution``).
- ``naive-gap``: where the pairs below the naive baseline come from: the same rows
  and weights, fitted on the raw text and on the normalised text
  (``training.studies.naive_gap``).
- ``threats``: how many first-person threats aimed at the reader the shared data
  holds, and how each source labels them; and what hand-written concept tokens
  (harm, weapon, body, second person, intent) add to THREAT (``training.studies.threats``).
"""
