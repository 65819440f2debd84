"""Moderators' feedback: the native suggestion route and the review queue over the suggestion store.

``routes`` is ``POST /v1/suggestions`` (a scoring key, like ``/v1/score``); ``queue``
lists, reviews and exports stored suggestions for the operator routes in
``service.routes.admin``. Both use the one store of ``service.perspective.store``,
so a suggestion sent through ``comments:suggestscore`` is reviewed the same way.
"""
