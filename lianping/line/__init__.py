"""LINE's wire: the Messaging API client, its size limits and request validation, webhook
signature and body parsing. Imports nothing else of the product."""
