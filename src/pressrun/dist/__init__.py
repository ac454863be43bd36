"""Distribution: the built editions → ``build/dist/``, a static site plus release files.

In: the translated masters, edition XHTML, PDF and EPUB of every document and
language.  Out: an edition page per document and language, language indexes,
a root page, OPDS 1.2 and 2.0 catalogs, citation files, ``sitemap.xml``,
``robots.txt``, ``SHA256SUMS`` and ``manifest.json`` (see :mod:`.release`).
"""
