"""Exceptions raised by the bindings: one per library error code class."""

from __future__ import annotations

from typing import Optional

OK = 0
ERROR = -1
EINVAL = -2
ENOTFOUND = -3
EEXISTS = -4
EBUSY = -5
ECORRUPT = -6
ENOMEM = -7
EVERSION = -8
EIO = -9
EREADONLY = -10
EPERM = -11


class Igny8Error(Exception):
    """A libigny8settings error: `code` (a negative IGNY8_E* value), `field` (the input
    at fault, or None) and the library's one-line message."""

    def __init__(self, code: int, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code}, field={self.field!r}, message={self.message!r})"


class ValidationError(Igny8Error, ValueError):
    """Bad argument or input (IGNY8_EINVAL); `field` names it."""


class NotFoundError(Igny8Error, LookupError):
    """No such model, integration, operation, prompt type, ... (IGNY8_ENOTFOUND)."""


class ConflictError(Igny8Error):
    """It exists already, or would break a uniqueness rule (IGNY8_EEXISTS)."""


class StoreError(Igny8Error):
    """The store is busy, damaged, from a newer version, unreadable or read-only."""


class MasterKeyError(Igny8Error, PermissionError):
    """A stored API key is needed and the store was not given its master key, or a wrong
    one (IGNY8_EPERM)."""


class Igny8MemoryError(Igny8Error, MemoryError):
    """The library ran out of memory (IGNY8_ENOMEM)."""


_BY_CODE = {
    EINVAL: ValidationError,
    ENOTFOUND: NotFoundError,
    EEXISTS: ConflictError,
    EBUSY: StoreError,
    ECORRUPT: StoreError,
    EVERSION: StoreError,
    EIO: StoreError,
    EREADONLY: StoreError,
    ENOMEM: Igny8MemoryError,
    EPERM: MasterKeyError,
}


def error_for(code: int, message: str, field: Optional[str]) -> Igny8Error:
    """The exception for a library error code."""
    return _BY_CODE.get(code, Igny8Error)(code, message or "no message provided", field)
