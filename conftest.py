pytest_plugins = ["enrichment.tests.fixtures"]
