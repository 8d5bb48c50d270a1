"""Downloading with MD5 checks: download_url, check_integrity, calculate_md5.

A download goes to ``<file>.part`` next to its destination and is renamed
into place only once complete and verified, so a failure never leaves a
partial file that a later run would mistake for the real one.
"""
import hashlib
import os
import urllib.request

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url']

USER_AGENT = 'ember'
_CHUNK = 1 << 20


def _urlopen(url, timeout):
    # A module-level hook: tests replace it to simulate servers without touching the network.
    request = urllib.request.Request(url, headers={'User-Agent': USER_AGENT})
    return urllib.request.urlopen(request, timeout=timeout)


def calculate_md5(fpath, chunk_size=_CHUNK):
    """Hex MD5 digest of the file at ``fpath``."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5):
    """True when the file's MD5 equals ``md5``."""
    return md5 == calculate_md5(fpath)


def check_integrity(fpath, md5=None):
    """True when the file exists and, if ``md5`` is given, matches it."""
    if not os.path.isfile(fpath):
        return False
    return md5 is None or check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, timeout=60):
    """Download ``url`` to ``root/filename`` unless a file with the right MD5 is already there.

    Raises:
        RuntimeError: the transfer failed or the MD5 did not match (no file is left behind).
    """
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.path.join(root, filename)
    if check_integrity(fpath, md5):
        return fpath
    os.makedirs(root, exist_ok=True)
    part = fpath + '.part'
    try:
        with _urlopen(url, timeout) as response, open(part, 'wb') as out:
            for chunk in iter(lambda: response.read(_CHUNK), b''):
                out.write(chunk)
        if md5 is not None and not check_md5(part, md5):
            raise RuntimeError(f"MD5 mismatch for {url}: expected {md5}, got {calculate_md5(part)}")
        os.replace(part, fpath)
    except Exception as e:
        if os.path.exists(part):
            os.remove(part)
        if isinstance(e, RuntimeError):
            raise
        raise RuntimeError(f"Failed to download {url} to {fpath}: {e}") from e
    return fpath
