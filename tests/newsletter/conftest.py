"""A real SMTP server (aiosmtpd) on a loopback port for the newsletter tests."""

import email
import email.policy
import re
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """What the SMTP server received, and knobs to make it misbehave."""

    def __init__(self):
        self.messages = []
        self.refused = set()
        self.temporary = {}  # address -> a 4xx reply to its RCPT
        self.accept_limit = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Mailbox does not exist"
        if address in self.temporary:
            return self.temporary[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.accept_limit is not None and len(self.messages) >= self.accept_limit:
                return "421 4.3.2 Service not available, try again later"
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            self.messages.append(message)
        return "250 Message accepted"

    def recipients(self):
        return [message["To"] for message in self.messages]

    def links(self, message, pattern):
        text = message.get_body(preferencelist=("plain",)).get_content()
        return re.findall(pattern, text)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "http://testserver"
    mailbox.controller = controller

    def start_again():
        mailbox.controller = Controller(mailbox, hostname="127.0.0.1", port=port)
        mailbox.controller.start()

    mailbox.start_again = start_again
    yield mailbox
    mailbox.controller.stop()
