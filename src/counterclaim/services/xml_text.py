"""Text fit for XML, whatever it holds: the one place every XML/SVG writer goes through.

XML 1.0 allows tab, newline and carriage return, and no other C0 control character, not
even escaped (`&#1;` is not well-formed either); nor U+FFFE, U+FFFF or a lone surrogate.
A claim may hold any of them (pasted text carries vertical tabs and form feeds), and one
such character makes the whole document unreadable: a PDF silently lost its graph. Each
is replaced by U+FFFD, the replacement character, so the reader sees that something was
there.
"""

import re
from xml.etree import ElementTree as ET

REPLACEMENT = "\ufffd"
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Return `text` with every character XML 1.0 cannot hold replaced by U+FFFD."""
    return _INVALID.sub(REPLACEMENT, text)


def to_xml(root: ET.Element, **options) -> str:
    """Serialise an element tree as `ET.tostring` does, every text and attribute made safe."""
    for element in root.iter():
        if element.text:
            element.text = xml_safe(element.text)
        if element.tail:
            element.tail = xml_safe(element.tail)
        for name, value in element.attrib.items():
            element.attrib[name] = xml_safe(value)
    return ET.tostring(root, encoding="unicode", **options)
