"""The Telegram front end: python-telegram-bot's Application, one module per feature. Handlers turn an
update into a bot.commands.Request, call the command layer on a worker thread, and send its replies."""
