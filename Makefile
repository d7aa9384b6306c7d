# Học Số — `make run` serves the demo commune; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms
STAMP := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.installed-test-$(shell cat setup.cfg pyproject.toml | sha1sum | cut -c1-12)
CHROMIUM := /usr/bin/chromium
# One test worker per core (pytest-xdist); a test file stays on one worker.
TEST_WORKERS ?= auto

.PHONY: run test install translations messages lint chromium clean font

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres]'
	touch $@

$(TEST_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,test]'
	touch $@ $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d translations -f --statistics

# Re-extract the interface strings into the committed template and merge them into
# every catalog. Run after changing a user-visible string.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project "Học Số" --copyright-holder "Học Số" -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	@# Babel knows no plural rule for blt and hmn: like Vietnamese, they have one form.
	sed -i '/^msgstr\[1\] ""$$/d; /^"Plural-Forms:/d; s/^"Content-Transfer-Encoding: 8bit\\n"$$/&\n"Plural-Forms: nplurals=1; plural=0;\\n"/' \
	  translations/blt/LC_MESSAGES/messages.po translations/hmn/LC_MESSAGES/messages.po

# A development server on this machine: debug settings, the demo commune, no secrets to set.
run: export LMS_ENV = development
run: translations
	$(FLASK) db upgrade
	$(FLASK) courses load
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port 5000

# Browser tests need Debian's chromium; as root on Debian it is installed here.
chromium:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(TEST_STAMP) translations chromium
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	  echo "!!  $(CHROMIUM) is missing: the BROWSER TESTS ARE SKIPPED in this run.  !!"; \
	  echo "!!  Install it with: apt-get install chromium                           !!"; \
	  echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	fi
	$(BIN)/ruff check lms tests bench
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check lms tests bench
	$(BIN)/ruff format --check lms tests bench

clean:
	rm -rf $(VENV) instance/*.sqlite* .pytest_cache

# The Tai Viet web font: the Tai Viet letters only (U+AA80-AADF), with mark positioning,
# unhinted, on a 256-unit grid (a 1/256 em step is finer than a phone's pixel), as WOFF2.
# FONT_SOURCE is the Noto Sans Tai Viet font file (OFL), e.g. the tai-viet file of the
# @fontsource/noto-sans-tai-viet package.
FONT_SOURCE ?= noto-sans-tai-viet-tai-viet-400-normal.woff2
FONT_OUT = static/fonts/noto-sans-tai-viet-subset.woff2
font:
	$(BIN)/pip install --quiet -e '.[fonts]'
	$(BIN)/pyftsubset $(FONT_SOURCE) --unicodes="U+AA80-AADF" --layout-features='mark,mkmk' \
	  --no-hinting --name-IDs='0,1,2' --output-file=$(FONT_OUT).ttf
	$(BIN)/python -c "import sys; from fontTools.ttLib import TTFont; \
	  from fontTools.ttLib.scaleUpem import scale_upem; f = TTFont(sys.argv[1]); \
	  scale_upem(f, 256); f.flavor = 'woff2'; f.save(sys.argv[2])" $(FONT_OUT).ttf $(FONT_OUT)
	rm $(FONT_OUT).ttf
