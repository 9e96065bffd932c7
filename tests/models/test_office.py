"""Office documents are recognised from what their archive declares and a hundred bytes of one
member: archives that declare absurd sizes, compress with methods that cannot be inflated by a
bounded amount, or hold more members than any document are refused with a reason."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from models.errors import Invalid
from models.office import MAX_MEMBERS, sniff_office

ODT = "application/vnd.oasis.opendocument.text"


def archive(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zipped:
        for name, data in members.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def test_real_documents_are_recognised() -> None:
    odt = archive({"mimetype": ODT.encode(), "content.xml": b"<office:document-content/>"})
    assert sniff_office(odt) == (ODT, "odt", "unknown")
    docx = archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert sniff_office(docx)[1] == "docx"


def test_a_member_declaring_a_thousandfold_inflation_is_refused() -> None:
    bomb = archive({"mimetype": ODT.encode() + b" " * (64 * 1024 * 1024)})
    assert len(bomb) < 128 * 1024
    with pytest.raises(Invalid) as refused:
        sniff_office(bomb)
    assert "declares sizes" in refused.value.message


def test_a_member_lying_about_its_size_is_read_only_as_far_as_it_claims() -> None:
    """The central directory says 39 bytes; the data inflates to 64 MiB. Reading stops at what
    was declared (the checksum then fails): refused, at a cost of kilobytes."""
    honest = archive({"mimetype": ODT.encode()})
    real = archive({"mimetype": ODT.encode() + b" " * (64 * 1024 * 1024)})
    with zipfile.ZipFile(io.BytesIO(real)) as zipped:
        info = zipped.getinfo("mimetype")
        declared, compressed = info.file_size, info.compress_size
    with zipfile.ZipFile(io.BytesIO(honest)) as zipped:
        small = zipped.getinfo("mimetype").file_size
    lying = real.replace(declared.to_bytes(4, "little"), small.to_bytes(4, "little"))
    assert lying != real and compressed > 1000
    tracemalloc.start()
    with pytest.raises(Invalid) as refused:
        sniff_office(lying)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "only PDF, office documents" in refused.value.message
    assert peak < 2 * len(lying) + 1024 * 1024


def test_bzip2_members_and_countless_members_are_refused() -> None:
    bzip = archive({"mimetype": ODT.encode()}, zipfile.ZIP_BZIP2)
    with pytest.raises(Invalid) as refused:
        sniff_office(bzip)
    assert "only PDF, office documents" in refused.value.message
    many = archive({f"{n}.xml": b"" for n in range(MAX_MEMBERS + 1)} | {"mimetype": b"x"})
    with pytest.raises(Invalid) as counted:
        sniff_office(many)
    assert "declares sizes" in counted.value.message
