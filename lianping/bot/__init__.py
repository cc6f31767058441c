"""Everything that speaks LINE: webhook, event parsing, conversation engine, messages, client."""
