"""``thaadsim serve``: a local web app over the scenario schema and the run (issue 17).

:mod:`~thaadsim.serve.setup` turns the page's setup (a scenario as JSON) into a validated
scenario and its YAML, with the server's limits; :mod:`~thaadsim.serve.jobs` runs the
computations in a pool of worker processes, with progress and cancel;
:mod:`~thaadsim.serve.app` is the Starlette application. An interface layer: it imports the
scenario, the run and the studies; nothing but :mod:`thaadsim.cli` imports it. The contract
between the server and the page is written in the module docstring of
:mod:`~thaadsim.serve.app`.
"""
