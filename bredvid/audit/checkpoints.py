"""Checkpoints: each chain's head (sequence number, hash, time), signed and kept outside the database.

`manage.py audit_checkpoint` appends one JSON line per chain to `AUDIT_CHECKPOINT_DIR/<chain>.jsonl`
(optionally also to syslog). `verify_audit_chain` reads them back: a chain that ends before a checkpoint
was truncated, an event whose hash differs from the checkpoint's was rewritten, and a line whose
signature does not verify was forged or damaged (ADR 0008).
"""

from __future__ import annotations

import hmac
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from bredvid.audit.keys import KeyRing, key_ring
from bredvid.audit.models import FIELD_SEPARATOR

_DOMAIN = "bredvid-audit-checkpoint/1"  # keeps a checkpoint's MAC distinct from any event's
_CHAIN_NAME = re.compile(r"^[0-9a-z-]{1,36}$")  # a municipality's UUID or "global"


@dataclass(frozen=True)
class Checkpoint:
    chain: str
    seq: int
    hash: str
    at: str  # ISO 8601, UTC
    key_id: str
    line: int = 0  # 1-based line in its file (0 when not read from one)

    def message(self) -> str:
        return FIELD_SEPARATOR.join((_DOMAIN, self.chain, str(self.seq), self.hash, self.at))

    def where(self) -> str:
        return f"checkpoint of {self.at} (line {self.line})"


@dataclass(frozen=True)
class BadCheckpoint:
    chain: str
    line: int
    problem: str


def sign(checkpoint: Checkpoint, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    return hmac.digest(ring.keys[checkpoint.key_id], checkpoint.message().encode(), "sha256").hex()


def to_line(checkpoint: Checkpoint, ring: KeyRing | None = None) -> str:
    body = {
        "chain": checkpoint.chain,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": checkpoint.at,
        "key_id": checkpoint.key_id,
        "sig": sign(checkpoint, ring),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def checkpoint_dir() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _path(chain: str) -> Path:
    if not _CHAIN_NAME.match(chain):
        raise ValueError(f"not a chain name: {chain!r}")
    return checkpoint_dir() / f"{chain}.jsonl"


def append(chain: str, seq: int, hash_hex: str, at: datetime) -> Checkpoint:
    """Sign the head with the current key and append it to the chain's file (flushed to disk)."""
    ring = key_ring()
    checkpoint = Checkpoint(chain=chain, seq=seq, hash=hash_hex, at=at.isoformat(), key_id=ring.current_id)
    line = to_line(checkpoint, ring)
    directory = checkpoint_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with _path(chain).open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    if settings.AUDIT_CHECKPOINT_SYSLOG:
        import syslog

        syslog.openlog("bredvid-audit", 0, syslog.LOG_AUTHPRIV)
        syslog.syslog(syslog.LOG_NOTICE, f"audit_checkpoint {line}")
    return checkpoint


def checkpointed_chains() -> list[str]:
    directory = checkpoint_dir()
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.glob("*.jsonl") if _CHAIN_NAME.match(p.stem))


def read(chain: str, ring: KeyRing | None = None) -> tuple[list[Checkpoint], list[BadCheckpoint]]:
    """Every checkpoint of the chain whose signature verifies, and the lines that do not."""
    ring = ring or key_ring()
    path = _path(chain)
    if not path.exists():
        return [], []
    good: list[Checkpoint] = []
    bad: list[BadCheckpoint] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            body = json.loads(text)
            checkpoint = Checkpoint(
                chain=str(body["chain"]),
                seq=int(body["seq"]),
                hash=str(body["hash"]),
                at=str(body["at"]),
                key_id=str(body["key_id"]),
                line=number,
            )
            signature = str(body["sig"])
        except (ValueError, KeyError, TypeError):
            bad.append(BadCheckpoint(chain, number, f"checkpoint line {number} of {path.name} is unreadable"))
            continue
        where = checkpoint.where()
        if checkpoint.key_id not in ring.keys:
            bad.append(BadCheckpoint(chain, number, f"{where}: unknown key id {checkpoint.key_id!r}"))
        elif checkpoint.chain != chain or not hmac.compare_digest(sign(checkpoint, ring), signature):
            bad.append(BadCheckpoint(chain, number, f"{where}: bad signature (forged or altered)"))
        else:
            good.append(checkpoint)
    return good, bad
