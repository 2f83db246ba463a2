.PHONY: run test lint
run:
	bash scripts/run
test:
	bash scripts/test
lint:
	bash scripts/lint
