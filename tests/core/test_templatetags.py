"""core.templatetags.vouch: money as the language writes it, and hard-wrapped texts as whole paragraphs."""

from django.template import Context, Template
from django.utils import translation

from core.templatetags.vouch import prose_blocks
from programs.demo import TERMS_TEXT


def test_terms_keep_their_sentences_whole():
    blocks = prose_blocks(TERMS_TEXT)
    assert blocks[0] == "Vouch verification terms (version 2026-11)"
    assert blocks[1].startswith(
        "1. You confirm that you are authorised to represent the organisation named in "
        "this application and that what you tell us is true."
    )
    assert len(blocks) == 7 and all("\n" not in block for block in blocks)


def test_paragraphs_filter_escapes_and_wraps():
    html = Template("{% load vouch %}{{ text|paragraphs }}").render(Context({"text": "a <b>\n  wrapped\n\nnext"}))
    assert html == "<p>a &lt;b&gt; wrapped</p>\n<p>next</p>"


def test_money_filter_per_language():
    template = Template("{% load vouch %}{{ amount|money:'USD' }}")
    with translation.override("en"):
        assert template.render(Context({"amount": 3474200})) == "$34,742.00"
    with translation.override("fr"):
        assert (
            template.render(Context({"amount": 3474200})).replace("\u202f", " ").replace("\xa0", " ") == "34 742,00 $US"
        )
    assert template.render(Context({"amount": None})) == ""
