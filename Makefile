# Two commands on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: serve test test-all install install-test train bench lint lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# Runtime: the pinned lock, then the project itself without re-resolving.
# Then compile the fast scorer once, so that the first `make serve` starts in seconds.
$(VENV)/.installed: $(PY) requirements.lock pyproject.toml
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@echo "compiling the fast scorer once (about 20 to 40 s; later starts load it in about a second)"
	$(PY) -c "import model; model.load_model().warm_up()"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-dev.lock
	$(PIP) install -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

serve: install
	TOXICITY_HOST=$(HOST) TOXICITY_PORT=$(PORT) $(PY) -m service

# The quick suite (a few minutes); `test-all` adds the slow and engine-backed tests (CI runs it).
test: install-test
	$(PY) -m pytest -m "not slow and not container" $(PYTEST_ARGS)

test-all: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

# make train DATA=mine.csv LABELS="TOXICITY=toxic INSULT=insult" [OUT=artifacts/mine] [ARGS="--text-column body"]
# Without DATA it trains on the shared sets (../shared/data), as the default model was.
OUT ?= artifacts/mine
train: install-test
	$(VENV)/bin/toxicity train $(if $(DATA),--table $(DATA)) $(foreach l,$(LABELS),--label $(l)) --out $(OUT) $(ARGS)

bench: install-test
	$(PY) bench/run.py

lint: install-test
	$(PY) -m ruff check model training service bulk tests bench
	$(PY) -m ruff format --check model training service bulk tests bench
	$(PY) -m mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts bench/results
