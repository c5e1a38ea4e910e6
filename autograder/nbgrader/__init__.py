"""The nbgrader adapter: our course as an nbgrader course that scores as our CLI does."""
