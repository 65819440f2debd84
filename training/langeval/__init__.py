"""The measured comparison that decides the multilingual model's design (issue 25).

``python -m training.langeval --out /tmp/langeval.md`` loads every set of
``../shared/data-multilingual`` (``training.loaders.multilingual``), splits it as
the English model's data is split, and reports per language and attribute the
validation ROC-AUC of per-language heads, shared multilingual heads (with and
without a language indicator) and the naive per-language character baseline,
with a proposed status per pair, the estimated artifact size, and what
``model.normalize`` does to each language's text. Modules: ``audit`` (the
normaliser), ``designs`` (the three designs), ``status`` (the rule), ``run``
(one measurement), ``report`` (markdown).
"""
