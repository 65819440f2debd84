"""The uvicorn target: ``uvicorn service.main:app``.

Every worker process imports this module, so logging is configured here: with
``TOXICITY_WORKERS`` above 1 the workers are fresh processes, and the parent's
configuration does not reach them.
"""

from service import logs
from service.app import create_app
from service.settings import Settings

settings = Settings()
logs.configure(settings.log_level, settings.access_log_flush_seconds)
app = create_app(settings, reload_on_sighup=True, serving=True)
