"""What changed between two revisions of an article, and how much it matters.

- :mod:`newscrawl.changes.diff`: word-level diffs (compact operations, moved passages,
  normalisation-only and volatile changes told apart from real ones); pure.
- :mod:`newscrawl.changes.score`: the significance score (0..1) of a diff and its reasons; pure.
- :mod:`newscrawl.changes.render`: a diff as terminal text (colour or plain markers) or HTML.
"""
