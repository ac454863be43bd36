"""Sources: seed texts → the document model.

In: ``seeds/<name>.txt`` and its sidecar ``<name>.meta.toml``.  Out: a
:class:`~pressrun.document.model.Document` and an ingest report.
``ingest`` runs the stage; ``profiles`` (publisher layouts as data),
``body`` (pandoc's blocks to the model), ``inlines`` (untrusted inline
markup made safe) and ``sidecar`` (checked editor metadata) serve it.
"""
