"""The same-work floor: pressrun's own edition XHTML rendered by WeasyPrint and pandoc, and nothing else.

Usage: ``python bench/floor.py PROJECT OUT JOBS``.  Every ``build/html/<lang>/<doc>.xhtml`` of a
built project becomes a PDF (WeasyPrint, with the project's print stylesheets and fonts) and an
EPUB (pandoc, with the EPUB stylesheets and the fonts) in ``OUT``, on ``JOBS`` forked workers
that import WeasyPrint once.  No ingest, merge, edition, metadata or checks: the time pressrun
takes beyond this is its own overhead.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sys
from pathlib import Path

import pypandoc
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from pressrun.config import load_project
from pressrun.editions.fonts import font_files
from pressrun.editions.pdf import font_face_css
from pressrun.editions.typography import quotes_css


def render_pdf(job: tuple[Path, Path, list[Path]]) -> None:
    source, target, sheets = job
    fonts = FontConfiguration()
    styles = [CSS(string=font_face_css() + quotes_css(), font_config=fonts)]
    styles += [CSS(filename=str(sheet), font_config=fonts) for sheet in sheets]
    HTML(filename=str(source)).write_pdf(str(target), stylesheets=styles, font_config=fonts)


def render_epub(job: tuple[Path, Path, list[Path]]) -> None:
    source, target, sheets = job
    fonts = sorted((target.parent / "fonts").glob("*.ttf"))
    args = [f"--css={sheet}" for sheet in sheets] + [f"--epub-embed-font={font}" for font in fonts]
    pypandoc.convert_file(str(source), "epub3", format="html", outputfile=str(target), extra_args=args)


def run(job: tuple[str, tuple[Path, Path, list[Path]]]) -> None:
    kind, work = job
    (render_pdf if kind == "pdf" else render_epub)(work)


def main() -> None:
    root, out, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    project = load_project(root)
    (out / "fonts").mkdir(parents=True, exist_ok=True)
    for index, font in enumerate(font_files()):  # pandoc reads --epub-embed-font as a pattern: plain names
        shutil.copy(font, out / "fonts" / f"font-{index}.ttf")
    work = []
    for source in sorted((project.build_dir / "html").glob("*/*.xhtml")):
        name = f"{source.parent.name}-{source.stem}"
        work.append(("pdf", (source, out / f"{name}.pdf", project.stylesheets("print"))))
        work.append(("epub", (source, out / f"{name}.epub", project.stylesheets("epub"))))
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(run, work, chunksize=1)


if __name__ == "__main__":
    main()
