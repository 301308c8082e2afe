"""Studies: the system functions run over grids, geographies and trials."""
