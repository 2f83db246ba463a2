"""Opening registry files: folders and zip archives expanded, encodings detected, rows read by header name."""

import codecs
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import ImportFailed

csv.field_size_limit(16 * 1024 * 1024)
_CHUNK = 1 << 20


class _ZipMember(io.BufferedIOBase):
    """A zip member's stream that closes its archive when it is closed."""

    def __init__(self, path: Path, member: str):
        self._archive = zipfile.ZipFile(path)
        self._stream = self._archive.open(member)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._stream.read1(size)  # type: ignore[attr-defined]  # a ZipExtFile

    def readinto(self, buffer) -> int:
        return self._stream.readinto(buffer)  # type: ignore[attr-defined]  # a ZipExtFile

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._archive.close()
        super().close()


class Header:
    """A file's column names, and where each one is: shared by every row read from the file."""

    __slots__ = ("index", "names")

    def __init__(self, names: list[str]):
        self.names = tuple(names)
        self.index = {name: position for position, name in enumerate(self.names)}

    @property
    def unique(self) -> bool:
        return len(self.index) == len(self.names)

    def __eq__(self, other: object) -> bool:
        return other is self or (isinstance(other, Header) and other.names == self.names)

    def __hash__(self) -> int:
        return hash(self.names)

    def __reduce__(self):
        return Header, (list(self.names),)


class RawRow:
    """One row as read from a file, with where it came from (for rejected-row reports).

    A row of a delimited file keeps its fields as the list the CSV reader gave, with the file's Header: the
    {column: value} dict (`values`) is built only for the rows something asks it of. At millions of rows, most of
    which are only keyed, fingerprinted and found unchanged, that dict was a fifth of the reading.
    """

    __slots__ = ("_values", "fields", "file", "header", "line")

    def __init__(
        self,
        file: str,
        line: int,
        values: dict[str, Any] | None = None,
        *,
        fields: list[str] | None = None,
        header: Header | None = None,
    ):
        self.file = file
        self.line = line
        self._values = values
        self.fields = fields  # set with header: a well-formed row of a file with unique column names
        self.header = header

    @property
    def values(self) -> dict[str, Any]:
        if self._values is None:
            assert self.header is not None and self.fields is not None
            self._values = dict(zip(self.header.names, self.fields, strict=True))
        return self._values

    def get(self, column: str, default: str = "") -> Any:
        """values.get(column, default), without building the dict."""
        if self._values is None and self.header is not None and self.fields is not None:
            position = self.header.index.get(column)
            return default if position is None else self.fields[position]
        return self.values.get(column, default)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawRow) and (other.file, other.line, other.values) == (
            self.file,
            self.line,
            self.values,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"RawRow(file={self.file!r}, line={self.line}, values={self.values!r})"


@dataclass(frozen=True)
class InputFile:
    """One file to read: on disk, or a member of a zip archive."""

    display: str
    path: Path
    member: str | None = None

    @property
    def name(self) -> str:
        return Path(self.member or self.path.name).name

    def open_binary(self):
        if self.member is None:
            return self.path.open("rb")
        return _ZipMember(self.path, self.member)

    def sha256(self) -> str:
        return self.digest()[0]

    def digest(self, on_read: Callable[[int], None] | None = None) -> tuple[str, int]:
        """The file's SHA-256 and its number of lines (a row estimate for progress), in one read;
        on_read(byte count) is called per chunk read."""
        digest, lines, last = hashlib.sha256(), 0, b"\n"
        with self.open_binary() as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
                if on_read:
                    on_read(len(chunk))
        return digest.hexdigest(), lines + (last != b"\n")

    def size(self) -> int:
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as archive:
            return archive.getinfo(self.member).file_size


def expand_paths(paths: list[str], accept=lambda name: True) -> list[InputFile]:
    """Files named on the command line, folders (sorted, not recursive) and the members of zip files."""
    files: list[InputFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise ImportFailed(f"{raw}: no such file or folder", code="import_file_missing")
        candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for candidate in candidates:
            if zipfile.is_zipfile(candidate):
                with zipfile.ZipFile(candidate) as archive:
                    for member in sorted(archive.namelist()):
                        if not member.endswith("/") and accept(Path(member).name):
                            files.append(InputFile(f"{candidate}:{member}", candidate, member))
            elif accept(candidate.name) or not path.is_dir():
                files.append(InputFile(str(candidate), candidate))
    if not files:
        raise ImportFailed(f"no importable file in {', '.join(paths)}", code="import_file_missing")
    return files


def detect_encoding(file: InputFile, on_read: Callable[[int], None] | None = None) -> str:
    """UTF-8 (with or without BOM) when every byte decodes as UTF-8, otherwise cp1252.

    A strict whole-file check rather than a guess from the first kilobytes: registry files are mostly ASCII,
    and a single cp1252 accent deep in the file is what breaks a guesser. on_read(byte count) per chunk read.
    """
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    done = 0
    with file.open_binary() as handle:
        head = handle.read(3)
        done += len(head)
        bom = head == codecs.BOM_UTF8
        try:
            decoder.decode(b"" if bom else head)
            while chunk := handle.read(_CHUNK):
                done += len(chunk)
                decoder.decode(chunk)
                if on_read:
                    on_read(len(chunk))
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            if on_read:
                on_read(file.size() - done + len(head))  # the rest is not read: it counts as done
            return "cp1252"
    if on_read:
        on_read(len(head))
    return "utf-8-sig" if bom else "utf-8"


def open_text(file: InputFile, encoding: str) -> io.TextIOWrapper:
    # cp1252 leaves five bytes undefined; 'replace' keeps such a row readable instead of aborting the run.
    errors = "replace" if encoding == "cp1252" else "strict"
    return io.TextIOWrapper(file.open_binary(), encoding=encoding, errors=errors, newline="")


def read_rows(
    file: InputFile, encoding: str, *, delimiter: str = ",", header: list[str] | None = None, **dialect
) -> Iterator[tuple[int, dict[str, str] | None, list[str]]]:
    """Rows as (line number, {column: value} or None when the field count is wrong, raw fields).

    Columns are mapped by header name, so files whose columns move between years read the same.
    Trailing empty header cells (a trailing comma on every line) are dropped.
    """
    for columns, line, fields, well_formed in _records(file, encoding, delimiter=delimiter, header=header, **dialect):
        yield line, dict(zip(columns.names, fields, strict=True)) if well_formed else None, fields


def read_raw_rows(
    file: InputFile, encoding: str, *, delimiter: str = ",", header: list[str] | None = None, **dialect
) -> Iterator[RawRow]:
    """What read_rows() reads, as RawRows: a well-formed row keeps its field list (its dict is built on demand,
    RawRow.values); a row of the wrong width is {"__bad_width__": fields}."""
    for columns, line, fields, well_formed in _records(file, encoding, delimiter=delimiter, header=header, **dialect):
        if not well_formed:
            yield RawRow(file.display, line, {"__bad_width__": fields})
        elif columns.unique:
            yield RawRow(file.display, line, fields=fields, header=columns)
        else:  # a column named twice: the dict keeps the last one, as it always has
            yield RawRow(file.display, line, dict(zip(columns.names, fields, strict=True)))


def _records(
    file: InputFile, encoding: str, *, delimiter: str, header: list[str] | None, **dialect
) -> Iterator[tuple[Header, int, list[str], bool]]:
    """(header, line number, fields, whether the field count is right) of each non-blank record."""
    with open_text(file, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter, **dialect)
        if header is None:
            try:
                header = next(reader)
            except StopIteration:
                return
            header = [h.strip().lstrip("\ufeff") for h in header]
        while header and header[-1] == "":
            header = header[:-1]
        columns = Header(header)
        width = len(header)
        line_after = reader.line_num
        for fields in reader:
            # A quoted field may span lines: report the line the record starts on.
            line, line_after = line_after + 1, reader.line_num
            if len(fields) == width > 1:  # the common case first
                yield columns, line, fields, True
                continue
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if len(fields) > width and not any(fields[width:]):
                fields = fields[:width]
            yield columns, line, fields, len(fields) == width


def require_header(file: InputFile, encoding: str, columns: tuple[str, ...], **dialect) -> list[str]:
    """Fail the run, rather than reject every row, when a file is not the format the importer reads."""
    with open_text(file, encoding) as text:
        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader(text, **dialect), [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise ImportFailed(
            f"{file.display}: not the expected layout, missing column(s) {', '.join(missing)}", code="import_bad_layout"
        )
    return header


def rejected_row(file: InputFile, line: int, reason: str, raw: list[str]):
    """A row found unusable while reading: the importer's org_id() raises the reason, so the pipeline records it
    with its file and line like any other rejection."""
    return RawRow(file.display, line, {"__rejected__": reason, "fields": raw})
