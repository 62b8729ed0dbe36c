from django.conf import settings
from django.utils.csp import CSP


class AdminContentSecurityPolicyMiddleware:
    """Relax the policy for the admin only: CKEditor 5 injects its own
    ``<style>`` elements at run time, which a nonce cannot cover. Scripts stay
    limited to the site's own files everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/" + settings.ADMIN_URL
        self.policy = {
            **settings.SECURE_CSP,
            "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        }

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix) and not hasattr(response, "_csp_config"):
            response._csp_config = self.policy
        return response
