"""The moderators' console, ``GET /console``: one page of plain HTML, CSS and JavaScript served from ``static/``."""
