"""Locate libpeerguard.so.0 and declare the C functions the package calls.

Every function gets argtypes, restype and errcheck.  Strings that the
library owns and hands over (peerguard_decision_to_json) are declared as
c_void_p so ctypes never converts them and the pointer can be passed back
to peerguard_free.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shutil
import subprocess
import threading
from typing import Any, Callable, List, Optional, Tuple

from .errors import LibraryNotFound, PeerguardError, error_from_struct

LOG = logging.getLogger("peerguard")

SONAME = "libpeerguard.so.0"

# The ABI this package was written against: 0.1.x.  During 0.x a minor
# version may change the ABI, so both major and minor must match.
ABI_MAJOR = 0
ABI_MINOR = 1

# Sizes of the fixed character arrays in peerguard_error (peerguard.h).
ERROR_MESSAGE_MAX = 512
ERROR_FILE_MAX = 256
ERROR_NAME_MAX = 128
ERROR_PATH_MAX = 256

LOAD_OPTIONS_VERSION = 2
CONTEXT_VERSION = 1

FLAG_EXPLAIN = 0x1
FLAG_MATCHED_ONLY = 0x2

INPUT_AUTO = 0
INPUT_EVENTS = 1
INPUT_RESOURCES = 2


class ErrorStruct(ctypes.Structure):
    """Mirror of struct peerguard_error."""

    _fields_ = [
        ("code", ctypes.c_int),
        ("message", ctypes.c_char * ERROR_MESSAGE_MAX),
        ("file", ctypes.c_char * ERROR_FILE_MAX),
        ("line", ctypes.c_int),
        ("column", ctypes.c_int),
        ("policy", ctypes.c_char * ERROR_NAME_MAX),
        ("path", ctypes.c_char * ERROR_PATH_MAX),
    ]


class LimitsStruct(ctypes.Structure):
    """Mirror of struct peerguard_limits."""

    _fields_ = [
        ("max_input_bytes", ctypes.c_size_t),
        ("max_policy_bytes", ctypes.c_size_t),
        ("max_depth", ctypes.c_uint),
        ("max_yaml_aliases", ctypes.c_uint),
        ("max_policies", ctypes.c_uint),
        ("max_filters", ctypes.c_uint),
        ("regex_match_limit", ctypes.c_uint32),
        ("regex_heap_limit_kib", ctypes.c_uint32),
        ("jmespath_max_steps", ctypes.c_uint64),
        ("jmespath_max_length", ctypes.c_size_t),
    ]


# void (*peerguard_log_fn)(peerguard_log_level level, const char *message, void *userdata)
LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)


# int (*peerguard_fetch_fn)(char **body, size_t *len, const char *url, const char *const *headers,
#                          size_t max_bytes, char *errbuf, size_t errbuf_size, void *userdata)
FETCH_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
                            ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
                            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


class LoadOptionsStruct(ctypes.Structure):
    """Mirror of struct peerguard_load_options (version 2)."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("limits", LimitsStruct),
        ("base_dir", ctypes.c_char_p),
        ("only", ctypes.POINTER(ctypes.c_char_p)),
        ("log", LOG_FN),
        ("log_userdata", ctypes.c_void_p),
        # Left NULL: remote value_from URLs are a load error from Python for now.
        ("fetch", FETCH_FN),
        ("fetch_userdata", ctypes.c_void_p),
    ]


class ContextStruct(ctypes.Structure):
    """Mirror of struct peerguard_context."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("account_id", ctypes.c_char_p),
        ("region", ctypes.c_char_p),
        ("now", ctypes.c_double),
        ("flags", ctypes.c_uint),
        ("log", LOG_FN),
        ("log_userdata", ctypes.c_void_p),
    ]


class _Opaque(ctypes.Structure):
    """Base of the opaque handle types; never instantiated from Python."""


class PolicySetHandle(_Opaque):
    pass


class ResultHandle(_Opaque):
    pass


class DecisionHandle(_Opaque):
    pass


SET_P = ctypes.POINTER(PolicySetHandle)
RESULT_P = ctypes.POINTER(ResultHandle)
DECISION_P = ctypes.POINTER(DecisionHandle)
ERROR_P = ctypes.POINTER(ErrorStruct)


# ---------------------------------------------------------------------------
# errcheck functions

def _find_error(args: Tuple[Any, ...]) -> Optional[ErrorStruct]:
    for arg in reversed(args):
        if isinstance(arg, ErrorStruct):
            return arg
    return None


def check_code(result: int, func: Any, args: Tuple[Any, ...]) -> int:
    """Raise the PeerguardError subclass for a negative return code."""
    if result >= 0:
        return result
    err = _find_error(args)
    if err is not None and err.code == result:
        raise error_from_struct(err)
    raise error_from_struct(None, code=result, message=strerror(result))


def check_string(result: Optional[bytes], func: Any, args: Tuple[Any, ...]) -> Optional[str]:
    """Decode a borrowed const char * (restype c_char_p) to str."""
    if result is None:
        return None
    return result.decode("utf-8", errors="replace")


def check_nonnull(result: Any, func: Any, args: Tuple[Any, ...]) -> Any:
    """Raise IndexError when an accessor returns NULL for an index out of range."""
    if not result:
        raise IndexError(f"{func.__name__}: index out of range")
    return result


def check_value(result: Any, func: Any, args: Tuple[Any, ...]) -> Any:
    """Return the value unchanged, for functions that have no error return."""
    return result


def check_void(result: None, func: Any, args: Tuple[Any, ...]) -> None:
    return None


# name: (restype, argtypes, errcheck)
_PROTOTYPES = {
    "peerguard_version": (ctypes.c_char_p, [], check_string),
    "peerguard_version_number": (ctypes.c_int, [], check_value),
    "peerguard_strerror": (ctypes.c_char_p, [ctypes.c_int], check_string),
    "peerguard_error_clear": (None, [ERROR_P], check_void),
    "peerguard_free": (None, [ctypes.c_void_p], check_void),
    "peerguard_policy_set_load_file": (
        ctypes.c_int,
        [ctypes.POINTER(SET_P), ctypes.c_char_p, ctypes.POINTER(LoadOptionsStruct), ERROR_P],
        check_code),
    "peerguard_policy_set_load_string": (
        ctypes.c_int,
        [ctypes.POINTER(SET_P), ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
         ctypes.POINTER(LoadOptionsStruct), ERROR_P],
        check_code),
    "peerguard_policy_set_free": (None, [SET_P], check_void),
    "peerguard_policy_set_count": (ctypes.c_size_t, [SET_P], check_value),
    "peerguard_policy_set_name": (ctypes.c_char_p, [SET_P, ctypes.c_size_t], check_string),
    "peerguard_policy_set_revision": (ctypes.c_char_p, [SET_P], check_string),
    "peerguard_evaluate": (
        ctypes.c_int,
        [ctypes.POINTER(RESULT_P), SET_P, ctypes.POINTER(ContextStruct), ctypes.c_int,
         ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ERROR_P],
        check_code),
    "peerguard_evaluate_file": (
        ctypes.c_int,
        [ctypes.POINTER(RESULT_P), SET_P, ctypes.POINTER(ContextStruct), ctypes.c_int,
         ctypes.c_char_p, ERROR_P],
        check_code),
    "peerguard_result_free": (None, [RESULT_P], check_void),
    "peerguard_result_count": (ctypes.c_size_t, [RESULT_P], check_value),
    "peerguard_result_get": (DECISION_P, [RESULT_P, ctypes.c_size_t], check_nonnull),
    "peerguard_result_error_count": (ctypes.c_size_t, [RESULT_P], check_value),
    "peerguard_result_error": (ctypes.c_int, [RESULT_P, ctypes.c_size_t, ERROR_P], check_code),
    "peerguard_decision_to_json": (
        ctypes.c_int, [ctypes.POINTER(ctypes.c_void_p), DECISION_P, ctypes.c_uint], check_code),
}


# ---------------------------------------------------------------------------
# Loading

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None


def _pkg_config_libdir() -> Tuple[Optional[str], str]:
    """Return (libdir, note) from `pkg-config --variable=libdir libpeerguard`."""
    exe = shutil.which("pkg-config")
    if exe is None:
        return None, "pkg-config: not installed"
    try:
        proc = subprocess.run([exe, "--variable=libdir", "libpeerguard"], capture_output=True,
                              text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"pkg-config: failed to run ({exc})"
    libdir = proc.stdout.strip()
    if proc.returncode != 0 or not libdir:
        return None, "pkg-config: libpeerguard.pc not found on PKG_CONFIG_PATH"
    return libdir, ""


def _candidates() -> List[Tuple[str, Optional[str], str]]:
    """List (where, path, note) in search order; path None means the source gave nothing."""
    found: List[Tuple[str, Optional[str], str]] = []

    env = os.environ.get("PEERGUARD_LIBRARY")
    if env:
        found.append(("PEERGUARD_LIBRARY", env, ""))
    else:
        found.append(("PEERGUARD_LIBRARY", None, "PEERGUARD_LIBRARY: not set"))

    libdir, note = _pkg_config_libdir()
    if libdir:
        found.append(("pkg-config", os.path.join(libdir, SONAME), ""))
    else:
        found.append(("pkg-config", None, note))

    name = ctypes.util.find_library("peerguard")
    if name:
        found.append(("ctypes.util.find_library", name, ""))
    else:
        found.append(("ctypes.util.find_library", None,
                      "ctypes.util.find_library('peerguard'): not found"))
    found.append(("system loader", SONAME, ""))
    return found


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes, errcheck) in _PROTOTYPES.items():
        func = getattr(lib, name)
        func.restype = restype
        func.argtypes = argtypes
        func.errcheck = errcheck


def _check_version(lib: ctypes.CDLL, path: str) -> None:
    number = lib.peerguard_version_number()
    major, minor = number >> 16, (number >> 8) & 0xFF
    if (major, minor) != (ABI_MAJOR, ABI_MINOR):
        raise LibraryNotFound(
            f"{path} is libpeerguard {lib.peerguard_version()}, but this package needs "
            f"{ABI_MAJOR}.{ABI_MINOR}.x; install a matching library or package version",
            tried=(f"{path}: version {lib.peerguard_version()}",))


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Load libpeerguard once and declare its functions.

    With path, load exactly that file.  Otherwise try PEERGUARD_LIBRARY,
    then pkg-config's libdir, then the system loader, and raise
    LibraryNotFound listing every attempt when none of them works.
    """
    global _lib

    with _lock:
        if _lib is not None and path is None:
            return _lib
        tried: List[str] = []
        if path is not None:
            candidates = [("path argument", path, "")]
        else:
            candidates = _candidates()
        for where, candidate, note in candidates:
            if candidate is None:
                tried.append(note)
                continue
            try:
                lib = ctypes.CDLL(candidate)
                _declare(lib)
            except (OSError, AttributeError) as exc:
                tried.append(f"{where}: {candidate}: {exc}")
                if where == "PEERGUARD_LIBRARY":
                    LOG.warning("PEERGUARD_LIBRARY=%s could not be loaded (%s); searching further",
                                candidate, exc)
                continue
            _check_version(lib, candidate)
            _lib = lib
            return lib
        raise LibraryNotFound(
            "libpeerguard.so.0 not found; set PEERGUARD_LIBRARY to its full path, add the "
            "directory of libpeerguard.pc to PKG_CONFIG_PATH, or install the library",
            tried=tuple(tried))


def lib() -> ctypes.CDLL:
    """Return the loaded library, loading it on first use."""
    if _lib is not None:
        return _lib
    return load_library()


def strerror(code: int) -> str:
    try:
        return lib().peerguard_strerror(code)
    except PeerguardError:
        return f"error {code}"


def take_string(ptr: ctypes.c_void_p) -> str:
    """Copy a library-owned NUL-terminated string and free it with peerguard_free."""
    if not ptr.value:
        return ""
    try:
        return ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        lib().peerguard_free(ptr)


def make_log_fn(sink: Callable[[int, str], None]) -> Any:
    """Wrap sink(level, message) as a peerguard_log_fn; the caller keeps the object alive."""

    def trampoline(level: int, message: Optional[bytes], userdata: Any) -> None:
        try:
            sink(level, message.decode("utf-8", errors="replace") if message else "")
        except Exception:  # an exception must not unwind through C
            LOG.exception("peerguard log callback failed")

    return LOG_FN(trampoline)
