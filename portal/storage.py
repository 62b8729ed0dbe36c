"""Walking the media storage (the disk under MEDIA_ROOT, or a bucket)."""

import posixpath


def stored_files(storage, directory: str = ""):
    """The names of every file under ``directory`` in the storage, folder by folder."""
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:  # nothing uploaded yet: the folder was never made
        return
    for name in files:
        yield posixpath.join(directory, name)
    for subdirectory in directories:
        yield from stored_files(storage, posixpath.join(directory, subdirectory))
