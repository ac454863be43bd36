"""The document: the model, its DocBook 5 master, translatability and languages.

In: a :class:`~pressrun.document.model.Document`.  Out: the DocBook master
(``master``), validated against the packaged RELAX NG schema.  ``its``
reads the ITS rules that say what is translatable; ``langs`` holds
language data (identification, dates, Turkic case mapping) every stage uses.
"""
