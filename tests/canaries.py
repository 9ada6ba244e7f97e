"""Canary secrets: no output, repr, error or log line may ever contain them."""

CANARY_KEY = "canary-api-key-7c1f3a9e5b2d4f60"
CANARY_TOKEN = "canary-token-d41d8cd98f00b204e980"
