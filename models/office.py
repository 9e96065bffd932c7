"""Office documents (ODF, OOXML) are ZIP archives, and what they hold says which format they
are. Recognising one must cost little whatever the archive claims: a zip bomb of 1 MB whose
``mimetype`` member inflates to 1 GiB once took 2 GiB of the server's memory. So the declared
sizes are checked before anything is inflated, only stored or deflated members are accepted
(what ODF and OOXML use; bzip2 and LZMA cannot be inflated by a bounded amount), and at most a
hundred bytes of one member are ever read, whatever that member declares."""

from __future__ import annotations

import io
import zipfile

from models.errors import N_, Invalid

ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML = "application/vnd.openxmlformats-officedocument."
OOXML_PARTS = (
    ("word/document.xml", OOXML + "wordprocessingml.document", "docx"),
    ("xl/workbook.xml", OOXML + "spreadsheetml.sheet", "xlsx"),
    ("ppt/presentation.xml", OOXML + "presentationml.presentation", "pptx"),
)
# Bounds no real document reaches (a large report is a few thousand members and some hundred
# MB inflated); the ratio bound is Apache POI's, for members over the grace size.
MAX_MEMBERS = 10_000
MAX_MEMBER_SIZE = 256 * 1024 * 1024
MAX_TOTAL_SIZE = 512 * 1024 * 1024
MAX_RATIO = 100
RATIO_GRACE = 1024 * 1024
MIMETYPE_BYTES = 100
CENTRAL_ENTRY = b"PK\x01\x02"
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _not_office() -> Invalid:
    return Invalid(
        "file", N_("only PDF, office documents (ODF, Word, Excel, PowerPoint) and images")
    )


def _bomb() -> Invalid:
    return Invalid(
        "file", N_("refused: the archive declares sizes or ratios that no office document has")
    )


def _check_declared(archive: zipfile.ZipFile) -> None:
    """Refuses members whose declared sizes, ratio or compression could make inflating them
    costly; each member of the central directory is checked before any is read."""
    total = 0
    for info in archive.infolist():
        if info.compress_type not in METHODS:
            raise _not_office()
        ratio_bound = max(RATIO_GRACE, info.compress_size * MAX_RATIO)
        if info.file_size > MAX_MEMBER_SIZE or info.file_size > ratio_bound:
            raise _bomb()
        total += info.file_size
    if total > MAX_TOTAL_SIZE:
        raise _bomb()


def _declared_type(archive: zipfile.ZipFile) -> str:
    """The first bytes of the ``mimetype`` member; the stream inflates only what is read, and
    what is read is bounded even if the member lies about its size."""
    with archive.open("mimetype") as member:
        head = member.read(MIMETYPE_BYTES)
    return head.decode("ascii", "replace").strip()


def sniff_office(content: bytes) -> tuple[str, str, str]:
    """(media type, extension, kind) of an ODF or OOXML document, recognised by the parts
    inside the archive; nothing else is extracted."""
    if not content.startswith(b"PK\x03\x04"):
        raise _not_office()
    # Every central directory entry starts with this signature, so counting it bounds the
    # members before zipfile builds an object for each of them.
    if content.count(CENTRAL_ENTRY) > MAX_MEMBERS:
        raise _bomb()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_declared(archive)
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = _declared_type(archive)
                if declared in ODF_TYPES:
                    return declared, ODF_TYPES[declared], "unknown"
            if "[Content_Types].xml" in names:
                for part, media_type, ext in OOXML_PARTS:
                    if part in names:
                        return media_type, ext, "unknown"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError):
        raise _not_office() from None
    raise _not_office()
