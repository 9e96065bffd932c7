"""Pictures as people's devices make them, built with Pillow for the tests: a phone photo with
its GPS position and camera serial in EXIF, turned by its EXIF orientation."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

SERIAL = "CAM-SERIAL-4242"
GREEN = (20, 110, 60)
WHITE = (250, 250, 250)


def gps_photo() -> bytes:
    """1200 × 800 as stored, left half white; orientation 6 says it is shown turned a quarter
    clockwise (800 × 1200, top half white). GPS: La Paz, where the photo was taken."""
    image = Image.new("RGB", (1200, 800), GREEN)
    image.paste(WHITE, (0, 0, 600, 800))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Canon"
    exif[ExifTags.Base.Model] = "EOS 90D"
    exif[ExifTags.Base.Orientation] = 6
    camera = exif.get_ifd(ExifTags.IFD.Exif)
    camera[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (16.0, 29.0, 58.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (68.0, 8.0, 48.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=95)
    return buffer.getvalue()


def has_gps(content: bytes) -> bool:
    exif = Image.open(io.BytesIO(content)).getexif()
    return bool(exif.get_ifd(ExifTags.IFD.GPSInfo))


def assert_clean_and_upright(content: bytes) -> None:
    """No EXIF at all (no position, no serial), and turned as the camera said."""
    assert b"Exif" not in content and SERIAL.encode() not in content and b"Canon" not in content
    image = Image.open(io.BytesIO(content))
    assert not image.getexif() and "exif" not in image.info and not has_gps(content)
    assert image.size == (800, 1200)
    assert all(abs(a - b) < 16 for a, b in zip(image.getpixel((400, 100)), WHITE, strict=True))
    assert all(abs(a - b) < 16 for a, b in zip(image.getpixel((400, 1100)), GREEN, strict=True))
