"""What an uploaded recording really is, read from its bytes: Opus in WebM or in Ogg, and
how long it plays. The browser's content type and the file name are never trusted.

WebM (Matroska/EBML): a browser's MediaRecorder writes a live stream whose Segment and
Clusters have an unknown size and whose Info usually has no Duration, so the length is
the last block's time: the Cluster's Timecode plus the block's own 16-bit offset, in
units of TimecodeScale. Ogg: the last page's granule position, less the Opus pre-skip,
at 48 kHz (RFC 7845).
"""

import struct
from dataclasses import dataclass

WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
OGG_MAGIC = b"OggS"

# EBML element ids (with their length marker bits, as they are written).
_EBML, _DOCTYPE = 0x1A45DFA3, 0x4282
_SEGMENT, _INFO, _TIMECODE_SCALE = 0x18538067, 0x1549A966, 0x2AD7B1
_TRACKS, _TRACK_ENTRY, _CODEC_ID = 0x1654AE6B, 0xAE, 0x86
_CLUSTER, _CLUSTER_TIMECODE = 0x1F43B675, 0xE7
_BLOCK_GROUP, _BLOCK, _SIMPLE_BLOCK = 0xA0, 0xA1, 0xA3
# Containers whose children are read one by one; everything else is skipped whole.
_ENTERED = {_EBML, _SEGMENT, _INFO, _TRACKS, _TRACK_ENTRY, _CLUSTER, _BLOCK_GROUP}
_UNKNOWN_SIZE_ALLOWED = {_SEGMENT, _CLUSTER}


class NotAudio(ValueError):
    """The bytes are not an Opus recording this site can keep."""


@dataclass(frozen=True)
class Sniffed:
    container: str  # "webm" | "ogg"
    milliseconds: int

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.container]


MIMETYPES = {"webm": "audio/webm", "ogg": "audio/ogg"}


def sniff(data: bytes) -> Sniffed:
    """The container and length of an Opus recording; NotAudio for anything else."""
    if data.startswith(WEBM_MAGIC):
        return Sniffed("webm", _webm_milliseconds(data))
    if data.startswith(OGG_MAGIC):
        return Sniffed("ogg", _ogg_milliseconds(data))
    raise NotAudio("neither WebM nor Ogg")


# --- WebM ---------------------------------------------------------------------------------


def _vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at `at`: (value, next offset, all ones)."""
    if at >= len(data):
        raise NotAudio("truncated")
    first = data[at]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8 or at + length > len(data):
        raise NotAudio("bad element header")
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1:at + length]:
        value = (value << 8) | byte
    ones = not keep_marker and value == (1 << (7 * length)) - 1
    return value, at + length, ones


def _uint(raw: bytes) -> int:
    return int.from_bytes(raw, "big") if raw else 0


def _webm_milliseconds(data: bytes) -> int:
    at, scale, cluster_time = 0, 1_000_000, None
    doctype, codecs, last = None, [], None
    while at < len(data):
        element, at, _ones = _vint(data, at, keep_marker=True)
        size, at, unknown = _vint(data, at, keep_marker=False)
        if element in _ENTERED:
            if unknown and element not in _UNKNOWN_SIZE_ALLOWED:
                raise NotAudio("unknown size")
            continue  # read its children next
        if unknown:
            raise NotAudio("unknown size")
        end = at + size
        if end > len(data):
            raise NotAudio("truncated")
        payload = data[at:end]
        if element == _DOCTYPE:
            doctype = payload.decode("ascii", "replace")
        elif element == _TIMECODE_SCALE:
            scale = _uint(payload) or scale
        elif element == _CODEC_ID:
            codecs.append(payload.decode("ascii", "replace"))
        elif element == _CLUSTER_TIMECODE:
            cluster_time = _uint(payload)
        elif element in (_SIMPLE_BLOCK, _BLOCK):
            if cluster_time is None:
                raise NotAudio("block outside a cluster")
            _track, after, _ones = _vint(payload, 0, keep_marker=False)
            if after + 2 > len(payload):
                raise NotAudio("short block")
            (offset,) = struct.unpack(">h", payload[after:after + 2])
            time = cluster_time + offset
            last = time if last is None else max(last, time)
        at = end
    if doctype not in ("webm", "matroska") or codecs != ["A_OPUS"]:
        raise NotAudio("not a single Opus track")
    if last is None:
        raise NotAudio("no sound in it")
    return int(last * scale // 1_000_000)


# --- Ogg ----------------------------------------------------------------------------------


def _ogg_milliseconds(data: bytes) -> int:
    at, granule, pre_skip, serial = 0, None, None, None
    while at < len(data):
        if data[at:at + 4] != OGG_MAGIC or at + 27 > len(data):
            raise NotAudio("bad Ogg page")
        page_granule, page_serial = struct.unpack("<qI", data[at + 6:at + 18])
        segments = data[at + 26]
        table = data[at + 27:at + 27 + segments]
        body = at + 27 + segments
        end = body + sum(table)
        if len(table) != segments or end > len(data):
            raise NotAudio("truncated")
        if pre_skip is None:
            head = data[body:end]
            if not head.startswith(b"OpusHead") or len(head) < 19:
                raise NotAudio("not Opus")
            (pre_skip,) = struct.unpack("<H", head[10:12])
            serial = page_serial
        elif page_serial != serial:
            raise NotAudio("more than one stream")
        if page_granule >= 0:
            granule = page_granule
        at = end
    if granule is None or granule <= pre_skip:
        raise NotAudio("no sound in it")
    return (granule - pre_skip) * 1000 // 48000
