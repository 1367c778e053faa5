"""Run health: is a crawl's result believable?

:mod:`.check` is the pure check of a run's stats against the site's history; :mod:`.monitors`
runs it at spider close as a spidermon monitor and leaves its verdict in the stats.
"""
