"""UF2 files: the block format USB mass-storage bootloaders (RP2040 BOOTSEL, ...) accept.

Each block is 512 bytes: magicStart0, magicStart1, flags, targetAddr, payloadSize, blockNo,
numBlocks, fileSize-or-familyID, 476 data bytes (payload first, zero padded), magicEnd.
All little-endian. With flag 0x2000 the word after numBlocks is the family ID.
"""
from dataclasses import dataclass

from construct import Bytes, Const, Int32ul, Struct, ConstructError

from .errors import MgError

MAGIC_START0 = 0x0A324655      # "UF2\n"
MAGIC_START1 = 0x9E5D5157
MAGIC_END = 0x0AB16F30
BLOCK_SIZE = 512
DATA_SIZE = 476

FLAG_NOT_MAIN_FLASH = 0x00000001
FLAG_FILE_CONTAINER = 0x00001000
FLAG_FAMILY_ID = 0x00002000
FLAG_MD5 = 0x00004000
FLAG_EXTENSION_TAGS = 0x00008000

# From the UF2 project's family list (the ones MicroGuard boards use, and neighbours).
FAMILIES = {
    "RP2040": 0xE48BFF56,
    "RP2350_ARM_S": 0xE48BFF59,
    "RP2350_RISCV": 0xE48BFF5A,
    "ESP32": 0x1C5F21B0,
    "ESP32S2": 0xBFDD4EEE,
    "ESP32S3": 0xC47E5767,
    "ESP32C3": 0xD42BA06C,
    "STM32F4": 0x57755A57,
    "SAMD21": 0x68ED2B88,
    "SAMD51": 0x55114460,
    "NRF52840": 0xADA52840,
}
FAMILY_NAMES = {v: k for k, v in FAMILIES.items()}

Block = Struct(
    "magic_start0" / Const(MAGIC_START0, Int32ul),
    "magic_start1" / Const(MAGIC_START1, Int32ul),
    "flags" / Int32ul,
    "target_addr" / Int32ul,
    "payload_size" / Int32ul,
    "block_no" / Int32ul,
    "num_blocks" / Int32ul,
    "family_or_size" / Int32ul,
    "data" / Bytes(DATA_SIZE),
    "magic_end" / Const(MAGIC_END, Int32ul),
)
assert Block.sizeof() == BLOCK_SIZE


@dataclass
class Image:
    family_id: int | None
    chunks: list            # [(address, bytes)] in block order

    def contiguous(self):
        """(start address, bytes) with gaps filled with 0xFF, as it lands in flash."""
        if not self.chunks:
            return 0, b""
        start = min(a for a, _ in self.chunks)
        end = max(a + len(d) for a, d in self.chunks)
        buf = bytearray(b"\xff" * (end - start))
        for a, d in self.chunks:
            buf[a - start:a - start + len(d)] = d
        return start, bytes(buf)


def family_id(name_or_id):
    if isinstance(name_or_id, int):
        return name_or_id
    key = name_or_id.upper().replace("-", "")
    if key in FAMILIES:
        return FAMILIES[key]
    try:
        return int(name_or_id, 0)
    except ValueError:
        raise MgError("unknown UF2 family %r (known: %s)" % (name_or_id, ", ".join(FAMILIES))) from None


def write(data, base_address, family, payload_size=256):
    """UF2 bytes for `data` placed at `base_address`, every block tagged with the family ID."""
    if not 0 < payload_size <= DATA_SIZE or payload_size % 4:
        raise MgError("UF2 payload size must be a multiple of 4 from 4 to 476")
    # Blocks start on payload boundaries (bootloaders write whole flash pages); payloads that
    # are not a power of two only need word alignment.
    align = payload_size if payload_size & (payload_size - 1) == 0 else 4
    if base_address % align:
        raise MgError("UF2 base address 0x%x is not aligned to %d bytes" % (base_address, align))
    fid = family_id(family)
    count = (len(data) + payload_size - 1) // payload_size
    out = bytearray()
    for n in range(count):
        chunk = data[n * payload_size:(n + 1) * payload_size]
        chunk = chunk + b"\x00" * (payload_size - len(chunk))
        out += Block.build(dict(flags=FLAG_FAMILY_ID, target_addr=base_address + n * payload_size,
                                payload_size=payload_size, block_no=n, num_blocks=count,
                                family_or_size=fid, data=chunk + b"\x00" * (DATA_SIZE - payload_size)))
    return bytes(out)


def read(blob, name="UF2 file"):
    """Parse and check a UF2 file; MgError names the first rule a block breaks."""
    if not blob or len(blob) % BLOCK_SIZE:
        raise MgError("%s is %d bytes, not a whole number of 512-byte UF2 blocks" % (name, len(blob)))
    family = None
    chunks = []
    expected_total = None
    seen = set()
    for i in range(len(blob) // BLOCK_SIZE):
        raw = blob[i * BLOCK_SIZE:(i + 1) * BLOCK_SIZE]
        try:
            b = Block.parse(raw)
        except ConstructError:
            raise MgError("%s: block %d has bad magic numbers (not UF2)" % (name, i)) from None
        if b.flags & FLAG_NOT_MAIN_FLASH:
            continue        # comments / not for flash: ignored, as bootloaders do
        if b.payload_size > DATA_SIZE:
            raise MgError("%s: block %d payload size %d exceeds 476" % (name, i, b.payload_size))
        if b.flags & FLAG_FAMILY_ID:
            if family is None:
                family = b.family_or_size
            elif b.family_or_size != family:
                raise MgError("%s: block %d has family 0x%08x, others 0x%08x" % (name, i, b.family_or_size, family))
        if expected_total is None:
            expected_total = b.num_blocks
        elif b.num_blocks != expected_total:
            raise MgError("%s: block %d says %d blocks, block 0 said %d" % (name, i, b.num_blocks, expected_total))
        if b.block_no >= b.num_blocks or b.block_no in seen:
            raise MgError("%s: block %d has a bad or repeated block number %d" % (name, i, b.block_no))
        seen.add(b.block_no)
        chunks.append((b.target_addr, bytes(b.data[:b.payload_size])))
    if expected_total is not None and len(seen) != expected_total:
        raise MgError("%s: has %d of %d blocks (truncated?)" % (name, len(seen), expected_total))
    return Image(family, chunks)
