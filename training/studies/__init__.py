"""Studies of the model's limits: measurements behind issue 19's open targets, not part of training.

Each study loads the shared data (``../shared/data``) and the shipped model, and
prints what it measured; ``python -m training.studies --help`` lists them. They
measure on the validation split only (its report half; a cut is chosen on the
tuning half), so no figure comes from rows the model trained on.

- ``dilution``: the best flag rate an abusive sentence can keep among benign ones
  for *any* combiner that flags by the top sentence score and the sentence count,
  given how the shipped model scores single sentences (``training.studies.dilution``).
- ``naive-gap``: where the pairs below the naive baseline come from: the same rows
  and weights, fitted on the raw text and on the normalised text
  (``training.studies.naive_gap``).
- ``threats``: how many first-person threats aimed at the reader the shared data
  holds, and how each source labels them; and what hand-written concept tokens
  (harm, weapon, body, second person, intent) add to THREAT (``training.studies.threats``).
- ``thresholds``: what moving the TOXICITY threshold does to ordinary prose and to
  the behaviour suite's categories (no refit).
- ``variants``: one head refitted under each label-mapping and weighting change
  (``training.studies.variants``).

The split and its halves are those the model was trained with: the studies read its
seed and fractions from the manifest. The behaviour suite and the non-toxic
Unhealthy Conversations comments (never trained on) are scored as probes.
"""
