"""Translation: masters ⇄ gettext catalogs.

In: a source master and the catalogs under ``translations/``.  Out: POT and
PO files (``catalogs``: extract and update without churn) and translated
masters (``merge``), with everything translators rely on around them.
"""
