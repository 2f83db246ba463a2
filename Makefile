.PHONY: run test lint
run:
	bash scripts/run
test:
	bash scripts/test
lint:
	.venv/bin/python -m ruff check .
