"""UF2 files written by mgtool: the format's rules, and a round trip through its reader."""
import os
import struct

import pytest

from mgtool_run import assert_one_error_line, mgtool
from mgtool import uf2
from mgtool.errors import MgError


def blocks(blob):
    return [blob[i:i + 512] for i in range(0, len(blob), 512)]


def test_blocks_follow_the_published_rules():
    data = os.urandom(256 * 7 + 100)
    blob = uf2.write(data, 0x10000000, "RP2040")
    assert len(blob) == 512 * 8
    for n, b in enumerate(blocks(blob)):
        m0, m1, flags, addr, size, no, total, fam = struct.unpack_from("<8I", b)
        assert (m0, m1) == (0x0A324655, 0x9E5D5157) and b[:4] == b"UF2\n"
        assert struct.unpack_from("<I", b, 508)[0] == 0x0AB16F30
        assert flags == 0x2000 and fam == 0xE48BFF56
        assert addr == 0x10000000 + 256 * n and addr % 256 == 0
        assert size == 256 and no == n and total == 8
        payload = data[n * 256:(n + 1) * 256]
        assert b[32:32 + len(payload)] == payload
        assert b[32 + len(payload):508] == bytes(508 - 32 - len(payload))     # zero padding


@pytest.mark.parametrize("size,family", [(1, "RP2040"), (256, "ESP32C3"), (10000, 0xE48BFF56), (476 * 3, "STM32F4")])
def test_round_trip(size, family):
    data = os.urandom(size)
    payload = 476 if size == 476 * 3 else 256
    blob = uf2.write(data, 0x10000000, family, payload_size=payload)
    img = uf2.read(blob)
    assert img.family_id == uf2.family_id(family)
    start, got = img.contiguous()
    assert start == 0x10000000
    assert got[:size] == data and set(got[size:]) <= {0}


def test_reader_rejects_broken_files():
    blob = bytearray(uf2.write(os.urandom(1024), 0x10000000, "RP2040"))
    with pytest.raises(MgError, match="whole number"):
        uf2.read(bytes(blob[:-1]))
    bad = bytearray(blob)
    bad[512 + 508] ^= 1                       # magicEnd of block 1
    with pytest.raises(MgError, match="block 1 has bad magic"):
        uf2.read(bytes(bad))
    with pytest.raises(MgError, match="truncated"):
        uf2.read(bytes(blob[:1024]))
    bad = bytearray(blob)
    struct.pack_into("<I", bad, 512 + 28, 0xD42BA06C)     # another family in block 1
    with pytest.raises(MgError, match="family"):
        uf2.read(bytes(bad))
    bad = bytearray(blob)
    struct.pack_into("<I", bad, 512 + 20, 0)              # block number repeated
    with pytest.raises(MgError, match="repeated"):
        uf2.read(bytes(bad))


def test_writer_checks_alignment():
    with pytest.raises(MgError, match="aligned"):
        uf2.write(b"x", 0x10000010, "RP2040")


def rp2040_image(size):
    """What an RP2040 firmware .bin starts with: boot2 (252 bytes and its CRC-32/MPEG-2), then the
    vector table (stack pointer in SRAM, Thumb reset address in flash)."""
    import struct
    boot2 = os.urandom(252)
    crc = 0xFFFFFFFF
    for b in boot2:
        crc ^= b << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7 if crc & 0x80000000 else crc << 1) & 0xFFFFFFFF
    head = boot2 + struct.pack("<I", crc) + struct.pack("<II", 0x20042000, 0x100001F7)
    return head + os.urandom(size - len(head))


def test_flash_rp2_refuses_a_bin_that_is_not_rp2040_firmware(tmp_path):
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("Board-ID: RPI-RP2\n")
    junk = tmp_path / "fw.bin"
    junk.write_bytes(os.urandom(4096))
    assert_one_error_line(mgtool("flash", str(junk), "--board", "rp2-pico-w", "--drive", str(drive)),
                          "not an RP2040 firmware image", "nothing was written")
    bad_vectors = bytearray(rp2040_image(4096))
    bad_vectors[0x100:0x108] = b"\xff" * 8
    junk.write_bytes(bytes(bad_vectors))
    assert_one_error_line(mgtool("flash", str(junk), "--board", "rp2-pico-w", "--drive", str(drive)),
                          "no RP2040 vector table")
    assert sorted(os.listdir(drive)) == ["INFO_UF2.TXT"]


def test_flash_rp2_writes_a_uf2_the_reader_accepts(tmp_path):
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n")
    firmware = tmp_path / "firmware.bin"
    data = rp2040_image(5000)
    firmware.write_bytes(data)
    r = mgtool("flash", str(firmware), "--board", "rp2-pico-w", "--drive", str(drive), check=0)
    written = [p for p in os.listdir(drive) if p.lower().endswith(".uf2")]
    assert len(written) == 1, os.listdir(drive)
    img = uf2.read((drive / written[0]).read_bytes())
    assert img.family_id == uf2.FAMILIES["RP2040"]
    start, got = img.contiguous()
    assert start == 0x10000000 and got[:5000] == data
    assert "RP2040" in r.stdout


def test_flash_rp2_refuses_a_uf2_for_another_chip(tmp_path):
    drive = tmp_path / "RPI-RP2"
    drive.mkdir()
    (drive / "INFO_UF2.TXT").write_text("Board-ID: RPI-RP2\n")
    img = tmp_path / "esp.uf2"
    img.write_bytes(uf2.write(b"\x01" * 300, 0, "ESP32S2"))
    assert_one_error_line(mgtool("flash", str(img), "--board", "rp2-pico-w", "--drive", str(drive)),
                          "ESP32S2", "RP2040")
    assert sorted(os.listdir(drive)) == ["INFO_UF2.TXT"]


def test_flash_rp2_needs_a_bootsel_drive(tmp_path):
    img = tmp_path / "fw.uf2"
    img.write_bytes(uf2.write(b"\x01" * 300, 0x10000000, "RP2040"))
    assert_one_error_line(mgtool("flash", str(img), "--board", "rp2-pico-w", "--drive", str(tmp_path)),
                          "INFO_UF2.TXT", "BOOTSEL")
