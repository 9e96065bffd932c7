"""Pictures are decoded with Pillow (which also proves that a file with a PNG's first bytes is a
PNG), turned upright by their EXIF orientation, and encoded anew without EXIF, XMP, IPTC,
comments or colour profile, so that a photo from the field never tells where it was taken or by
which camera. Their pixels are counted before they are decoded (a 1 MB PNG can declare
10,000 × 10,000 pixels). The thumbnail, the dimensions and the blurhash that apps show while a
picture loads (Mastodon's ``meta`` and ``blurhash``) are made from the clean copy."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import blurhash
from PIL import Image, ImageCms, ImageOps, ImageSequence

from models.errors import N_, Invalid

MAX_PIXELS = 7680 * 4320  # Mastodon's bound too; all frames of an animation count
MAX_FRAMES = 1000
SMALL_PIXELS = 640 * 360  # the area of Mastodon's "small" version
BLURHASH_COMPONENTS = (4, 4)  # Mastodon's
BLURHASH_SIDE = 64  # the hash is an average: a tiny copy gives the same one, fast
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
SAVE_OPTIONS: dict[str, dict[str, object]] = {
    "JPEG": {"quality": 90},
    "PNG": {},
    "GIF": {},
    "WEBP": {"quality": 90},
}
MODES = {"JPEG": ("L", "RGB"), "WEBP": ("RGB", "RGBA")}
SRGB = ImageCms.createProfile("sRGB")


@dataclass(frozen=True)
class CleanImage:
    """A picture encoded anew, with its thumbnail (JPEG, or PNG where it is transparent)."""

    content: bytes
    width: int
    height: int
    small: bytes
    small_ext: str
    small_width: int
    small_height: int
    blurhash: str


def _unreadable() -> Invalid:
    return Invalid("file", N_("this file is not a readable image"))


def _too_large() -> Invalid:
    return Invalid(
        "file",
        N_("at most %(n)s megapixels and %(frames)s frames (an animation's frames add up)"),
        n=MAX_PIXELS // 1_000_000,
        frames=MAX_FRAMES,
    )


def _to_srgb(frame: Image.Image) -> Image.Image:
    """Colours described by an embedded profile are converted to sRGB before the profile is
    dropped (a profile can name the device); a profile that cannot be read is ignored."""
    icc = frame.info.get("icc_profile")
    if not icc or frame.mode not in ("RGB", "RGBA"):
        return frame
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(frame, profile, SRGB, outputMode=frame.mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return frame
    return converted if converted is not None else frame


def _upright(frame: Image.Image, fmt: str) -> Image.Image:
    """The frame turned by its orientation, in sRGB, in a mode the format can hold, and with
    nothing of ``info`` but its transparent colour: Pillow's encoders write some of what
    ``info`` holds (GIF comments, PNG profiles), so no metadata of the source may stay there."""
    clean = _to_srgb(ImageOps.exif_transpose(frame))
    allowed = MODES.get(fmt)
    if allowed and clean.mode not in allowed:
        clean = clean.convert("RGBA" if _has_alpha(clean) and "RGBA" in allowed else "RGB")
    if clean is frame:
        clean = frame.copy()
    transparency = clean.info.get("transparency")
    clean.info = {} if transparency is None else {"transparency": transparency}
    return clean


def _encode(frames: list[Image.Image], durations: list[int], loop: int, fmt: str) -> bytes:
    out = io.BytesIO()
    options = dict(SAVE_OPTIONS[fmt])
    if len(frames) > 1:
        options |= {"save_all": True, "append_images": frames[1:], "duration": durations}
        options["loop"] = loop
    frames[0].save(out, fmt, **options)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _small(image: Image.Image) -> tuple[Image.Image, bytes, str]:
    """Mastodon's small version: the same shape with at most 640 × 360 pixels' area."""
    scale = min(1.0, math.sqrt(SMALL_PIXELS / (image.width * image.height)))
    size = (max(1, math.floor(image.width * scale)), max(1, math.floor(image.height * scale)))
    alpha = _has_alpha(image)
    small = image.convert("RGBA" if alpha else "RGB").resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if alpha:
        small.save(out, "PNG")
        return small, out.getvalue(), "png"
    small.save(out, "JPEG", quality=80)
    return small, out.getvalue(), "jpg"


def _blurhash(small: Image.Image) -> str:
    tiny = small.convert("RGB")
    tiny.thumbnail((BLURHASH_SIDE, BLURHASH_SIDE))
    return str(blurhash.encode(tiny, *BLURHASH_COMPONENTS))


def _frames(source: Image.Image, fmt: str) -> tuple[list[Image.Image], list[int], int]:
    frames, durations = [], []
    for frame in ImageSequence.Iterator(source):
        durations.append(int(frame.info.get("duration", 100)))
        frames.append(_upright(frame, fmt))
    return frames, durations, int(source.info.get("loop", 0))


@contextmanager
def _decoded(content: bytes, media_type: str) -> Iterator[Image.Image]:
    """The picture opened as the format its first bytes announced, its pixels counted before
    any is decoded; whatever Pillow cannot read, while opening or later, is refused."""
    fmt = FORMATS[media_type]
    try:
        with Image.open(io.BytesIO(content), formats=[fmt]) as source:
            count = getattr(source, "n_frames", 1)
            if source.width * source.height * count > MAX_PIXELS or count > MAX_FRAMES:
                raise _too_large()
            yield source
    except Image.DecompressionBombError:
        raise _too_large() from None
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError):
        raise _unreadable() from None


def clean_image(content: bytes, media_type: str) -> CleanImage:
    """Refuses what Pillow cannot decode as the format the first bytes announced, and
    pictures over ``MAX_PIXELS``; CPU-bound, so callers run it in a thread."""
    fmt = FORMATS[media_type]
    with _decoded(content, media_type) as source:
        frames, durations, loop = _frames(source, fmt)
        encoded = _encode(frames, durations, loop, fmt)
    first = frames[0]
    small, small_bytes, small_ext = _small(first)
    return CleanImage(
        content=encoded,
        width=first.width,
        height=first.height,
        small=small_bytes,
        small_ext=small_ext,
        small_width=small.width,
        small_height=small.height,
        blurhash=_blurhash(small),
    )


@dataclass(frozen=True)
class FittedImage:
    """A picture cut to a fixed shape: PNG where it is transparent, JPEG otherwise."""

    content: bytes
    ext: str
    width: int
    height: int


def fit_image(content: bytes, media_type: str, width: int, height: int) -> FittedImage:
    """The first frame, upright and in sRGB, cropped about its centre to ``width`` ×
    ``height`` (avatars, logos, banners), encoded anew with no metadata. The same refusals as
    ``clean_image``; CPU-bound, so callers run it in a thread."""
    with _decoded(content, media_type) as source:
        frame = _upright(source, "PNG")
        alpha = _has_alpha(frame)
        frame = frame.convert("RGBA" if alpha else "RGB")
    fitted = ImageOps.fit(frame, (width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if alpha:
        fitted.save(out, "PNG", optimize=True)
    else:
        fitted.save(out, "JPEG", quality=85, optimize=True)
    return FittedImage(out.getvalue(), "png" if alpha else "jpg", width, height)
