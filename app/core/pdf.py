"""PDF documents rendered from HTML templates with WeasyPrint."""

from typing import Any

from flask import current_app, render_template


def render_pdf(template: str, **context: Any) -> bytes:
    from weasyprint import HTML

    html = render_template(template, **context)
    pdf: bytes = HTML(string=html, base_url=current_app.root_path).write_pdf()
    return pdf
