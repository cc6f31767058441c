"""What the resident reads and how the chat goes: the pure conversation engine (state +
event → new state, replies, effects), the bot's texts, cards, message builders and menu."""
