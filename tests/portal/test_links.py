"""Addresses as read outside the site: e-mail, search engines, social networks."""

from django.test import SimpleTestCase, override_settings

from portal.links import absolute_url


@override_settings(SITE_URL="https://hromada.example.org")
class AbsoluteUrlTests(SimpleTestCase):
    def test_a_path_is_on_the_public_site(self):
        assert absolute_url("/news/sport/") == "https://hromada.example.org/news/sport/"

    def test_media_on_their_own_host_keep_it(self):
        """S3-compatible storage and a CDN (S3_CUSTOM_DOMAIN) give whole addresses."""
        address = "https://media.hromada.example.net/news/skver.jpg"
        assert absolute_url(address) == address

    def test_an_address_without_a_scheme_gets_the_sites(self):
        assert (
            absolute_url("//cdn.example.net/news/skver.jpg")
            == "https://cdn.example.net/news/skver.jpg"
        )
