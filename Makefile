# Two commands for a new user: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := governance_app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test check-system translations messages doctor bench clean

$(BIN)/python:
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
	  echo ""; echo "Python's venv module is missing. Install it with:"; \
	  echo "  sudo apt-get install python3-venv"; echo ""; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,postgres,redis,jobs]'
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

check-system:
	@sh scripts/check-system.sh

translations: $(VENV)/.installed-run
	@$(BIN)/pybabel compile --statistics -d governance_app/translations

## Re-extract translatable strings and merge them into the catalogues.
messages: $(VENV)/.installed-run
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -k _l -k lazy_gettext \
	  -o governance_app/translations/messages.pot governance_app templates
	$(BIN)/pybabel update --width 120 --no-fuzzy-matching -i governance_app/translations/messages.pot -d governance_app/translations

run: check-system install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	@$(BIN)/flask demo logins --url http://$(HOST):$(PORT)
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: check-system install-test translations
	$(BIN)/python -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

doctor: install translations
	$(BIN)/flask doctor

bench: install-test
	$(BIN)/python bench/import_roll.py

clean:
	rm -rf $(VENV) instance build *.egg-info governance_app/translations/*/LC_MESSAGES/*.mo
