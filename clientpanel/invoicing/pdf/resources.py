"""What a document's PDF draws on besides the document: the font (with Polish letters, embedded)
and the home company's logo, scaled into its box."""

from __future__ import annotations

import io
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image

logger = logging.getLogger(__name__)

# The logo's box at the top left; the image keeps its proportions inside it.
LOGO_WIDTH, LOGO_HEIGHT = 50 * mm, 22 * mm
# Fonts with Polish letters: DejaVu from the system (Debian: fonts-dejavu-core) unless PDF_FONT
# names another TrueType file; reportlab's own Vera lacks ł, ś, ż.
FONT_CANDIDATES = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans.ttf"]


@cache
def fonts() -> tuple[str, str]:
    configured = getattr(settings, "PDF_FONT", "") or ""
    for path in [configured, *FONT_CANDIDATES]:
        if path and Path(path).is_file():
            bold = Path(path).with_name(Path(path).stem + "-Bold.ttf")
            pdfmetrics.registerFont(TTFont("DocSans", path))
            pdfmetrics.registerFont(TTFont("DocSans-Bold", str(bold) if bold.is_file() else path))
            # <b> inside a paragraph picks the family's bold face.
            registerFontFamily("DocSans", normal="DocSans", bold="DocSans-Bold", italic="DocSans",
                               boldItalic="DocSans-Bold")
            return "DocSans", "DocSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def logo_image(logo: bytes | None) -> Image | None:
    """The logo scaled into LOGO_WIDTH × LOGO_HEIGHT, its proportions kept; None when there is none
    or it cannot be read (the document is issued all the same, without it)."""
    if not logo:
        return None
    try:
        reader = ImageReader(io.BytesIO(logo))
        width, height = reader.getSize()
        scale = min(LOGO_WIDTH / width, LOGO_HEIGHT / height)
        return Image(io.BytesIO(logo), width=width * scale, height=height * scale, hAlign="LEFT")
    except Exception:
        logger.warning("The home company's logo could not be read; the document is printed without it")
        return None
