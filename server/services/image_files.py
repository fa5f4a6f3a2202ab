"""Byte-level edits of an image that Pillow has already decoded in full, without re-encoding its pixels:
whatever follows the image's end is cut (a PNG followed by HTML is stored as the PNG alone), and its EXIF
block loses the GPS directory (every other tag, orientation included, stays).

JPEG ends at the EOI marker after its last scan, PNG at its IEND chunk, WebP at the size its RIFF header
declares. BMP carries no EXIF and no reliable end: it is stored as Pillow re-encodes what it decoded
(BMP is uncompressed, so nothing is lost).
"""

from __future__ import annotations

import io
import zlib

from PIL import Image

_GPS_IFD = 0x8825
_EXIF_HEADER = b"Exif\x00\x00"
_PNG_IEND = b"\x00\x00\x00\x00IEND\xaeB`\x82"


def cleaned(image: Image.Image, data: bytes) -> bytes:
    """The bytes to store for `data`, which `image` (opened from it) has decoded in full."""
    if image.format == "JPEG":
        return _jpeg(data)
    if image.format == "PNG":
        return _png(data)
    if image.format == "WEBP":
        return _webp(data)
    out = io.BytesIO()
    image.save(out, format=image.format)
    return out.getvalue()


def _without_gps(exif_block: bytes) -> bytes | None:
    """The EXIF block (TIFF data, with or without the `Exif\\0\\0` header) without GPS; None if it has none."""
    exif = Image.Exif()
    exif.load(exif_block)
    if _GPS_IFD not in exif:
        return None
    del exif[_GPS_IFD]
    rewritten = exif.tobytes()  # starts with the header
    return rewritten if exif_block.startswith(_EXIF_HEADER) else rewritten[len(_EXIF_HEADER):]


def _jpeg(data: bytes) -> bytes:
    out, pos, size = [data[:2]], 2, len(data)  # SOI
    while pos + 4 <= size and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI: the image ends here
            out.append(data[pos:pos + 2])
            return b"".join(out)
        if marker == 0xFF:  # a fill byte before a marker
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        segment = data[pos:pos + 2 + length]
        if marker == 0xE1 and segment[4:10] == _EXIF_HEADER and (exif := _without_gps(segment[4:])) is not None:
            segment = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
        out.append(segment)
        pos += 2 + length
        if marker == 0xDA:  # a scan: entropy-coded data up to the next marker (not a stuffed 0 or a restart)
            end = pos
            while (end := data.find(b"\xff", end)) != -1 and end + 1 < size and (
                    data[end + 1] == 0 or 0xD0 <= data[end + 1] <= 0xD7 or data[end + 1] == 0xFF):
                end += 1
            if end == -1 or end + 1 >= size:
                break  # no EOI (the decoder tolerates that): the scan ran to the end of the file
            out.append(data[pos:end])
            pos = end
    out.append(data[pos:])
    return b"".join(out)


def _png(data: bytes) -> bytes:
    out, pos, size = [data[:8]], 8, len(data)
    while pos + 12 <= size:
        length, kind = int.from_bytes(data[pos:pos + 4], "big"), data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > size or not kind.isalpha():
            break  # no chunk: the image ended with the last one
        chunk = data[pos:end]
        if kind == b"eXIf" and (exif := _without_gps(chunk[8:-4])) is not None:
            chunk = len(exif).to_bytes(4, "big") + kind + exif + zlib.crc32(kind + exif).to_bytes(4, "big")
        out.append(chunk)
        pos = end
        if kind == b"IEND":
            return b"".join(out)
    out.append(_PNG_IEND)  # the decoder needs none; a well-formed file has one
    return b"".join(out)


def _webp(data: bytes) -> bytes:
    body_end = min(8 + int.from_bytes(data[4:8], "little"), len(data))
    out, pos = [], 12
    while pos + 8 <= body_end:
        kind, length = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        end = min(pos + 8 + length + (length & 1), body_end)  # chunks are padded to an even size
        chunk = data[pos:end]
        if kind == b"EXIF" and (exif := _without_gps(chunk[8:8 + length])) is not None:
            chunk = kind + len(exif).to_bytes(4, "little") + exif + b"\x00" * (len(exif) & 1)
        out.append(chunk)
        pos = end
    body = b"".join(out)
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WEBP" + body
