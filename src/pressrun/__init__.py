"""pressrun: a multilingual publishing pipeline.

Seed texts are ingested into DocBook 5 masters (:mod:`pressrun.sources.ingest`,
:mod:`pressrun.document.master`), their translatable segments are kept in gettext
catalogs (:mod:`pressrun.translation.catalogs`), merged back into translated masters
(:mod:`pressrun.translation.merge`) and rendered as editions (:mod:`pressrun.editions.edition`,
:mod:`pressrun.editions.pdf`, :mod:`pressrun.editions.epub`).  :mod:`pressrun.engine.build` runs
these stages as an incremental, parallel graph of steps and
:mod:`pressrun.engine.check` runs the release gates on what it built.

Logging policy: library modules never print; they log to loggers named
``pressrun.<stage>``.  Problems a user must act on are raised as
:class:`pressrun.errors.PressrunError` subclasses or collected as
:class:`pressrun.errors.Problem` records in a stage's report; the command
line interface decides how to show them.
"""

__version__ = "0.1.0"
