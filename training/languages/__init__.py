"""Per-language sub-models (issue 25, design (a) of ``docs/multilingual-design.md``): trained, measured, rated.

``run.train_languages`` reads ``../shared/data-multilingual``, splits it as
``training.langeval`` does and fits one sub-model per language (``fit``): its own
featuriser, one head per attribute its data labels, calibrators, threshold
presets chosen on a tuning half and figures on a report half, and a status per
attribute (``training.langeval.status``). ``bundle.LanguageSet`` carries them to
``training.pipeline.train``, which writes them beside the English model;
``options`` is ``toxicity train``'s ``--languages`` and how the source options
split between the English and the multilingual sets.
"""
