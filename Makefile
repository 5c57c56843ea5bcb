# The two commands: `make run` (chat with the assistant) and `make test` (the whole suite).
# No PYTHONPATH: scripts/setup.sh installs the project into .venv (editable), so .venv's Python finds it.
PYTHON := .venv/bin/python
PORTAL_PYTHON := .venv-portal/bin/python
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: setup run test train i18n-extract i18n-update i18n-compile i18n-check load-sample bench bench-turns bench-langid bench-nlu bench-nlu-validation bench-geosearch bench-safety bench-safety-validation fuzz clean

setup:
	@scripts/setup.sh
	@$(PYTHON) -m knowledge check
	@$(PYTHON) -m i18n compile

run: setup
	$(PYTHON) -m launcher

# The portal's tests run where the portal runs (.venv-portal: current Python, aiohttp, SQLAlchemy 2); the rest
# with the bot's Rasa environment.
test: setup
	@scripts/system_packages.sh
	scripts/without_network.sh $(PYTHON) -m pytest --ignore=tests/portal
	scripts/without_network.sh $(PORTAL_PYTHON) -m pytest tests/portal

train: setup
	$(PYTHON) -c "from launcher.training import ensure_model; print(ensure_model())"

load-sample: setup
	$(PYTHON) -m services_db load-sample

i18n-extract: setup
	$(PYTHON) -m i18n extract

i18n-update: setup
	$(PYTHON) -m i18n update

i18n-compile: setup

i18n-check: setup
	$(PYTHON) -m i18n check

clean:
	rm -rf models var .pytest_cache

bench-turns: setup
	$(PYTHON) -m bench.turns

bench-langid: setup
	$(PYTHON) -m bench.langid

bench-nlu: setup
	$(PYTHON) -m bench.nlu

bench-nlu-validation: setup
	$(PYTHON) -m bench.nlu_validation

bench-geosearch: setup
	$(PYTHON) -m bench.geosearch

bench-safety: setup
	$(PYTHON) -m bench.safety

bench-safety-validation: setup
	$(PYTHON) -m bench.safety_validation

# 10,000+ generated requests against every public endpoint of a running stack (the suite runs a short
# version of the same fuzzing, tests/e2e/test_fuzz_endpoints.py).
fuzz: setup
	@scripts/system_packages.sh
	FUZZ_REQUESTS=10000 scripts/without_network.sh $(PYTHON) -m pytest tests/e2e/test_fuzz_endpoints.py -q
