"""Shared outputs: spreadsheet escaping, PDF rendering, SMTP mail to a real local server."""

from __future__ import annotations

import io
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from naravard.mail import Attachment, MailError, Sender, SmtpSettings, build_message, send
from naravard.pdf import html_to_pdf
from naravard.spreadsheets import escape_cell, safe_value, unescape_cell
from tests.smtp import SmtpSink


def test_formula_cells_are_escaped() -> None:
    assert escape_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert escape_cell("+46 70") == "'+46 70"
    assert escape_cell("@SUM") == "'@SUM"
    assert escape_cell("Region Halland") == "Region Halland"
    assert safe_value(-5) == -5


@given(st.text())
def test_escape_round_trips(text: str) -> None:
    escaped = escape_cell(text)
    assert unescape_cell(escaped) == text
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_pdf_renders_text() -> None:
    pdf = html_to_pdf('<html lang="sv"><head><title>Kvitto</title></head><body><h1>Kvitto</h1>'
                      "<table><tr><th>Belopp</th><td>100 kr</td></tr></table></body></html>")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].extract_text().split() == [
        "Kvitto", "Belopp", "100", "kr", "1", "/", "1"]  # the page number in the footer
    # tagged for screen readers: marked content, a structure tree, the document's language
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "sv"
    kinds = structure(root["/StructTreeRoot"])
    assert kinds[:2] == ["/Document", "/H1"]
    assert {"/Table", "/TR", "/TH", "/TD"} <= set(kinds)
    assert reader.metadata is not None and reader.metadata.title == "Kvitto"


def structure(node: Any) -> list[str]:
    """The structure types of a tagged PDF's tree, depth first, each once."""
    seen: list[str] = []

    def walk(item: Any) -> None:
        item = item.get_object()
        if not isinstance(item, DictionaryObject):
            return
        kind = item.get("/S")
        if kind is not None and str(kind) not in seen:
            seen.append(str(kind))
        kids = item.get("/K")
        for kid in kids if isinstance(kids, ArrayObject) else [kids] if kids is not None else []:
            walk(kid)

    walk(node)
    return seen


def test_mail_reaches_a_local_smtp_server(smtp_sink: SmtpSink) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_sink.port, sender="nara@example.se")
    message = build_message(settings, ["eva@example.se"], "Kvitto: inlämning", "Tack för svaret.",
                            (Attachment("kvitto.pdf", b"%PDF-1.7 test"),))
    send(settings, message)
    assert len(smtp_sink.messages) == 1
    got = smtp_sink.messages[0]
    assert got["To"] == "eva@example.se"
    assert got["Subject"] == "Kvitto: inlämning"
    parts = [p.get_filename() for p in got.iter_attachments()]
    assert parts == ["kvitto.pdf"]


def test_mail_failure_is_reported() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=1, timeout=2)
    try:
        send(settings, build_message(settings, ["a@b.se"], "x", "y"))
    except MailError as exc:
        assert "127.0.0.1:1" in str(exc)
    else:
        raise AssertionError("sending to a closed port must fail")
    off = SmtpSettings(host="")
    try:
        send(off, build_message(off, ["a@b.se"], "x", "y"))
    except MailError as exc:
        assert "NARAVARD_SMTP_HOST" in str(exc)
    else:
        raise AssertionError("mail without a server must fail")


def test_a_batch_shares_one_connection_and_survives_a_dropped_one(smtp_sink: SmtpSink) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_sink.port, sender="nara@example.se")
    with Sender(settings) as sender:
        for n in range(3):
            sender.send(build_message(settings, [f"r{n}@example.se"], f"Påminnelse {n}", "x"))
        assert len(set(smtp_sink.peers)) == 1  # three messages, one connection
        kept = sender._server
        assert kept is not None
        kept.close()  # the connection is gone (as when a server drops an idle client)
        sender.send(build_message(settings, ["r3@example.se"], "Påminnelse 3", "x"))
    assert [m["Subject"] for m in smtp_sink.messages] == [f"Påminnelse {n}" for n in range(4)]
    assert len(set(smtp_sink.peers)) == 2  # opened again once, nothing sent twice
    assert sender._server is None  # closed at the end of the batch


def test_a_refused_message_does_not_stop_the_batch(smtp_sink: SmtpSink) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_sink.port, sender="nara@example.se")
    smtp_sink.refused = {"gone@example.se"}
    with Sender(settings) as sender:
        try:
            sender.send(build_message(settings, ["gone@example.se"], "Fel", "x"))
        except MailError as exc:
            assert f"127.0.0.1:{smtp_sink.port}" in str(exc) and "Mailbox unavailable" in str(exc)
        else:
            raise AssertionError("a refused recipient must fail")
        sender.send(build_message(settings, ["ok@example.se"], "Rätt", "x"))
    assert [m["Subject"] for m in smtp_sink.messages] == ["Rätt"]
