"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

`POST /api/mail/inbound` takes one raw mail as `message/rfc822`, which Schemathesis has no
serializer for: it is sent as text, as `text/plain` bodies are.
"""

import schemathesis

schemathesis.serializer.alias("message/rfc822", "text/plain")
