"""Spiders. Every site profile becomes a spider (see ``newscrawl.spiderloader``)."""
