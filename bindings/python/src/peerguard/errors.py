"""Exceptions raised by the peerguard package.

Each library failure carries the fields of struct peerguard_error: the
negative return code, the message (what failed and how to fix it), and
where it was found (file, line, column, policy name, document path).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple, Type

# Return codes of peerguard.h (peerguard_code); never renumbered.
OK = 0
ERROR = -1
ENOMEM = -2
EINVAL = -3
EPOLICY = -4
EINPUT = -5
EIO = -6
ELIMIT = -7
EEXPR = -8
EEVAL = -9
ENOTFOUND = -10


class PeerguardError(Exception):
    """A failure reported by libpeerguard, or by the binding around it."""

    def __init__(self, message: str, *, code: Optional[int] = ERROR, file: str = "", line: int = 0,
                 column: int = 0, policy: str = "", path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.policy = policy
        self.path = path

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.message!r}, code={self.code}, file={self.file!r}, "
                f"line={self.line}, column={self.column}, policy={self.policy!r}, path={self.path!r})")

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.as_dict()))

    def as_dict(self) -> Dict[str, Any]:
        """Return the fields as a dict, as peerguard_error holds them."""
        return {"code": self.code, "message": self.message, "file": self.file, "line": self.line,
                "column": self.column, "policy": self.policy, "path": self.path}


def _rebuild(cls: Type[PeerguardError], message: str, fields: Dict[str, Any]) -> PeerguardError:
    fields = dict(fields)
    fields.pop("message", None)
    if cls is LibraryNotFound:
        fields.pop("code", None)
        return LibraryNotFound(message, tried=())
    return cls(message, **fields)


class PolicyError(PeerguardError):
    """The policy file is invalid (PEERGUARD_EPOLICY)."""


class InputError(PeerguardError):
    """An input document or record could not be read (PEERGUARD_EINPUT)."""


class LimitError(PeerguardError):
    """A configured limit was exceeded (PEERGUARD_ELIMIT)."""


class FileReadError(PeerguardError):
    """A policy or input file could not be read (PEERGUARD_EIO)."""


class ExpressionError(PeerguardError):
    """A JMESPath expression is invalid (PEERGUARD_EEXPR)."""


class EvaluationError(PeerguardError):
    """Evaluation failed, for example on a bad allowlist file (PEERGUARD_EEVAL)."""


class NotFoundError(PeerguardError, LookupError):
    """A named item, such as a policy passed in policies=, was not found (PEERGUARD_ENOTFOUND)."""


class InvalidArgument(PeerguardError, ValueError):
    """An argument was rejected by the library (PEERGUARD_EINVAL)."""


class LibraryNotFound(PeerguardError, OSError):
    """libpeerguard.so.0 could not be loaded; tried lists every attempt."""

    def __init__(self, message: str, *, tried: Tuple[str, ...] = ()) -> None:
        full = message
        if tried:
            full += "\ntried:\n" + "\n".join(f"  - {t}" for t in tried)
        PeerguardError.__init__(self, full, code=None)
        self.tried = tried


_BY_CODE: Dict[int, Type[PeerguardError]] = {
    EPOLICY: PolicyError,
    EINPUT: InputError,
    ELIMIT: LimitError,
    EIO: FileReadError,
    EEXPR: ExpressionError,
    EEVAL: EvaluationError,
    EINVAL: InvalidArgument,
    ENOTFOUND: NotFoundError,
}


def error_class(code: int) -> Type[PeerguardError]:
    """Return the exception class for a peerguard_code."""
    return _BY_CODE.get(code, PeerguardError)


def error_from_struct(err: Any, *, code: int = ERROR, message: str = "") -> PeerguardError:
    """Build the exception for a filled peerguard_error (ErrorStruct), or for a bare code."""
    if err is None:
        return error_class(code)(message or f"error {code}", code=code)

    def text(raw: bytes) -> str:
        return raw.decode("utf-8", errors="replace")

    code = err.code
    message = text(err.message) or f"error {code}"
    return error_class(code)(message, code=code, file=text(err.file), line=err.line,
                             column=err.column, policy=text(err.policy), path=text(err.path))
