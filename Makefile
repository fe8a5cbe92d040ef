# Convenience only: the real commands are `python dev.py app` and `python dev.py test`.
PYTHON ?= python3

.PHONY: app test setup build
app:
	$(PYTHON) dev.py app
test:
	$(PYTHON) dev.py test
setup:
	$(PYTHON) dev.py setup
build:
	$(PYTHON) dev.py build --region aachen
