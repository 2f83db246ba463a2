.PHONY: run test lint cluster-check
run:
	bash scripts/run
test:
	bash scripts/test
lint:
	bash scripts/lint
cluster-check:
	bash scripts/bootstrap.sh requirements-dev.lock
	.venv/bin/python bench/cluster_check.py
