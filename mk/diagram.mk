# The pictures of the decision (diagram/): Graphviz's `dot` (Debian package
# graphviz) draws them; `make run` and `make test` install it when missing.

.PHONY: graphviz-deps flowcharts bench-path

graphviz-deps: ## Debian's Graphviz (dot) for the decision-path pictures, when missing
	$(if $(shell command -v dot 2>/dev/null),@true,$(call apt_install,graphviz,the decision-path pictures))

flowcharts: install graphviz-deps ## regenerate the chapter's four decision trees (docs/flowcharts/, docs/flowcharts.md)
	$(PY) -m diagram flowcharts docs/flowcharts

bench-path: install graphviz-deps ## time drawing one decision path (SVG and PNG)
	$(PY) -m bench.path_bench

# `make bench` also times the picture.
bench: bench-path
