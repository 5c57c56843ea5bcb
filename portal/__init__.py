"""The portal (aiohttp): NLG endpoint for the bot, static web widget; staff editor and hotline console later."""
