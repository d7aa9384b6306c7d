"""Real recordings for the narration tests, made while the tests run: Chromium's
MediaRecorder records its fake microphone (a steady beep) as Opus in WebM, and the same
Opus packets are rewritten into an Ogg file (RFC 7845), so both containers hold sound that
a browser really encoded."""

import base64
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from lms.extensions import db
from lms.translating.models import LanguageGrant

from .conftest import TEST_PASSWORD

CHROMIUM = "/usr/bin/chromium"
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]
BLANK_ORIGIN = "https://recorder.invalid/"
RECORD_JS = """async (ms) => {
  const stream = await navigator.mediaDevices.getUserMedia({audio: true});
  const recorder = new MediaRecorder(stream, {mimeType: 'audio/webm;codecs=opus',
                                              audioBitsPerSecond: 32000});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((done) => { recorder.onstop = done; });
  recorder.start(250);
  await new Promise((done) => setTimeout(done, ms));
  recorder.stop();
  await stopped;
  stream.getTracks().forEach((t) => t.stop());
  const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


def chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must make the test recordings")
        pytest.skip(f"{CHROMIUM} is missing: no recording can be made")


def launch_with_fake_microphone(browser_type):
    """Chromium whose microphone is a steady beep, allowed without asking."""
    from .browser.conftest import CHROMIUM_ARGS

    return browser_type.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MEDIA])


_RECORDER_PROCESS = """
import base64, json, sys
from playwright.sync_api import sync_playwright
from tests.narration_helpers import BLANK_ORIGIN, RECORD_JS, launch_with_fake_microphone
with sync_playwright() as playwright:
    browser = launch_with_fake_microphone(playwright.chromium)
    page = browser.new_page()
    page.route(BLANK_ORIGIN, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>r</title>"))
    page.goto(BLANK_ORIGIN)
    print(json.dumps([page.evaluate(RECORD_JS, ms) for ms in json.loads(sys.argv[1])]))
    browser.close()
"""


def record_webm(milliseconds_list: list[int]) -> list[bytes]:
    """Recordings of the given lengths, made by Chromium's MediaRecorder. In a process of
    its own, so that it works beside the browser tests' running Playwright."""
    chromium_or_skip()
    result = subprocess.run(
        [sys.executable, "-c", _RECORDER_PROCESS, json.dumps(milliseconds_list)],
        capture_output=True, text=True, timeout=300, check=True,
        cwd=Path(__file__).resolve().parent.parent)
    return [base64.b64decode(text) for text in json.loads(result.stdout)]


# --- WebM to Ogg, keeping the Opus packets ------------------------------------------------


def _vint(data: bytes, at: int, keep_marker: bool) -> tuple[int, int]:
    first, length = data[at], 1
    while not first & (0x80 >> (length - 1)):
        length += 1
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[at + 1:at + length]:
        value = (value << 8) | byte
    return value, at + length


def _webm_packets(data: bytes) -> tuple[bytes, list[bytes]]:
    """(OpusHead from CodecPrivate, the Opus packets of every SimpleBlock)."""
    entered = {0x18538067, 0x1654AE6B, 0xAE, 0x1F43B675, 0xA0}
    at, head, packets = 0, None, []
    while at < len(data):
        element, at = _vint(data, at, keep_marker=True)
        size, at = _vint(data, at, keep_marker=False)
        if element in entered:
            continue
        payload = data[at:at + size]
        if element == 0x63A2:
            head = payload
        elif element == 0xA3:
            _track, after = _vint(payload, 0, keep_marker=False)
            packets.append(payload[after + 3:])  # after the timecode and the flags
        at += size
    return head, packets


def _samples(packet: bytes) -> int:
    """48 kHz samples in one Opus packet, from its TOC byte (RFC 6716, 3.1)."""
    config, code = packet[0] >> 3, packet[0] & 3
    if config < 12:
        frame = (480, 960, 1920, 2880)[config % 4]
    elif config < 16:
        frame = (480, 960)[config % 2]
    else:
        frame = (120, 240, 480, 960)[config % 4]
    frames = 1 if code == 0 else 2 if code in (1, 2) else packet[1] & 0x3F
    return frame * frames


def _crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _page(packet: bytes, granule: int, sequence: int, flags: int) -> bytes:
    lacing = bytes([255] * (len(packet) // 255) + [len(packet) % 255])
    header = (b"OggS" + bytes([0, flags]) + struct.pack("<qII", granule, 0x4C4D5300, sequence)
              + b"\0\0\0\0" + bytes([len(lacing)]) + lacing)
    page = header + packet
    return page[:22] + struct.pack("<I", _crc(page)) + page[26:]


def webm_to_ogg(webm: bytes) -> bytes:
    head, packets = _webm_packets(webm)
    assert head and head.startswith(b"OpusHead") and packets
    (pre_skip,) = struct.unpack("<H", head[10:12])
    tags = b"OpusTags" + struct.pack("<I", 5) + b"tests" + struct.pack("<I", 0)
    pages = [_page(head, 0, 0, 2), _page(tags, 0, 1, 0)]
    granule = pre_skip
    for number, packet in enumerate(packets):
        granule += _samples(packet)
        last = number == len(packets) - 1
        pages.append(_page(packet, granule, number + 2, 4 if last else 0))
    return b"".join(pages)


# --- people ---------------------------------------------------------------------------------


def grant(account, language: str, may_review: bool = False) -> None:
    db.session.add(LanguageGrant(account_id=account.id, language=language,
                                 may_review=may_review))
    db.session.commit()


def sign_in_staff(app, account):
    from .conftest import sign_in

    client = app.test_client()
    assert sign_in(client, account.phone, TEST_PASSWORD).status_code == 302
    return client
