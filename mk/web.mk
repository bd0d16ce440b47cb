# Web widget (web/, docs/web.md): recipes; the Makefile says which command
# needs which target.
#
# - web-build: the JavaScript dependencies exactly as in web/package-lock.json
#   (`npm ci`, again only when the lockfile changes), then the widget bundle
#   web/public/clinibot-widget.{js,css} (esbuild), rebuilt when a source
#   changes. `make run` serves web/public on http://localhost:8080/.
# - web-deps: web-build, plus Debian's Chromium for the browser tests
#   (tests/web: Playwright's Python package drives /usr/bin/chromium; no
#   browser is ever downloaded), installed only when missing.

WEB_NPM ?= npm
WEB_CHROMIUM ?= /usr/bin/chromium
WEB_STAMP := web/node_modules/.package-lock.json
WEB_BUNDLE := web/public/clinibot-widget.js
WEB_SOURCES := web/package.json $(wildcard web/src/*)

.PHONY: web-build web-deps test-web

# npm ci writes node_modules/.package-lock.json: newer than the lockfile once done.
$(WEB_STAMP): web/package-lock.json
	@command -v $(WEB_NPM) >/dev/null 2>&1 || { echo "npm (Node.js >= 18) is needed to build the web widget"; exit 1; }
	cd web && $(WEB_NPM) ci --no-audit --no-fund --ignore-scripts
	@touch $@

$(WEB_BUNDLE): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && $(WEB_NPM) run --silent build

$(WEB_CHROMIUM):
	$(call apt_install,chromium,the browser tests of the web widget)

web-build: $(WEB_BUNDLE) ## the web widget's bundle (npm ci, esbuild)
web-deps: web-build $(WEB_CHROMIUM) ## the widget's bundle and Debian's Chromium for the browser tests

test test-web: export CLINIBOT_CHROMIUM := $(WEB_CHROMIUM)

test-web: install model web-deps ## only the browser tests of the widget
	$(PY) -m pytest tests/web --no-cov
