from django.test import RequestFactory, override_settings

from core.client_ip import client_ip

factory = RequestFactory()


def _request(remote="10.0.0.5", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert client_ip(_request(forwarded="203.0.113.9")) == "10.0.0.5"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_one_proxy_takes_the_rightmost_forwarded_entry_not_what_the_client_wrote():
    assert client_ip(_request(forwarded="6.6.6.6, 203.0.113.9")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=2)
def test_two_proxies_take_the_second_from_the_right():
    assert client_ip(_request(forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_missing_or_malformed_header_falls_back_to_the_peer():
    assert client_ip(_request()) == "10.0.0.5"
    assert client_ip(_request(forwarded="not-an-ip")) == "10.0.0.5"
