"""Coupon codes: format, typing mistakes forgiven, keyed hashing."""

import math
import re

import pytest

from coupons.codes import (
    ALPHABET,
    LENGTH,
    coupon_code_format,
    coupon_code_generate,
    coupon_code_hash,
    coupon_code_hashes,
    coupon_code_hint,
    coupon_code_is_well_formed,
    coupon_code_normalise,
)

CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_codes_are_grouped_crockford_base32_with_at_least_80_bits():
    codes = {coupon_code_generate() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(CODE.match(code) for code in codes)
    assert LENGTH * math.log2(len(ALPHABET)) >= 80
    assert not set("ILOU") & set("".join(codes))
    # Every character of the alphabet turns up: the draw is not biased to a subset.
    assert set("".join(codes).replace("-", "")) == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "7kq2-xm4d-9rtb-hc31",
        " 7KQ2 XM4D 9RTB HC31 ",
        "7KQ2XM4D9RTBHC31",
        "7kq2\u2013xm4d\u2013 9rtb \u2014hc3l",  # dashes from a word processor, l for 1
        "7KQ2-XM4D-9RTB-HC3I",  # I for 1
        "\uff17\uff2b\uff31\uff12-XM4D-9RTB-HC31",  # full-width characters
    ],
)
def test_normalise_forgives_case_spaces_dashes_and_look_alikes(typed):
    assert coupon_code_normalise(typed) == "7KQ2XM4D9RTBHC31"


def test_o_is_read_as_zero():
    assert coupon_code_normalise("o0o0-0000-0000-0000") == "0" * 16


def test_well_formed_only_for_sixteen_alphabet_characters():
    assert coupon_code_is_well_formed(coupon_code_normalise(coupon_code_generate()))
    assert not coupon_code_is_well_formed("7KQ2XM4D9RTBHC3")  # 15
    assert not coupon_code_is_well_formed("7KQ2XM4D9RTBHC3U")  # U is not in the alphabet
    assert not coupon_code_is_well_formed("")


def test_format_groups_by_four():
    assert coupon_code_format("7KQ2XM4D9RTBHC31") == "7KQ2-XM4D-9RTB-HC31"


def test_hash_is_keyed_hmac_of_the_normalised_code(settings):
    settings.SECRET_KEY = "k1" * 30
    digest = coupon_code_hash("7KQ2-XM4D-9RTB-HC31")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert coupon_code_hash("7kq2 xm4d 9rtb hc3l") == digest  # same code, typed differently
    assert coupon_code_hash("7KQ2-XM4D-9RTB-HC32") != digest
    settings.SECRET_KEY = "k2" * 30
    assert coupon_code_hash("7KQ2-XM4D-9RTB-HC31") != digest  # without the key the hash cannot be recomputed


def test_dedicated_key_and_fallbacks(settings):
    settings.SECRET_KEY = "secret" * 10
    settings.SECRET_KEY_FALLBACKS = ["old" * 20]
    assert coupon_code_hashes("7KQ2XM4D9RTBHC31") == [
        coupon_code_hash("7KQ2XM4D9RTBHC31", secret="secret" * 10),
        coupon_code_hash("7KQ2XM4D9RTBHC31", secret="old" * 20),
    ]
    settings.COUPON_HASH_KEY = "dedicated" * 5
    assert coupon_code_hashes("7KQ2XM4D9RTBHC31") == [coupon_code_hash("7KQ2XM4D9RTBHC31", secret="dedicated" * 5)]


def test_hint_is_the_last_four_characters():
    assert coupon_code_hint("7kq2-xm4d-9rtb-hc31") == "HC31"
