"""Editions: a translated master → edition XHTML → PDF and EPUB.

In: a translated master and the edition strings.  Out: the edition XHTML
(``edition``), then the writers: ``pdf`` (WeasyPrint, with ``pdfmeta`` and
``pdftags`` completing the file) and ``epub`` (pandoc, confined to a private
folder); ``fonts`` and ``hyphenation`` supply both.
"""
