"""Inline mode: "@bot question" in any chat offers the passages that answer it."""

from __future__ import annotations

import asyncio

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.ext import BaseHandler, InlineQueryHandler

from bot.telegram.context import Context, admitted


async def inline(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    if not query.query.strip():
        await query.answer([], cache_time=5)
        return
    if not await admitted(update, context):
        return  # unanswered: the user's app shows no results
    articles = await asyncio.to_thread(context.commands.inline, query.query)
    results = [
        InlineQueryResultArticle(
            id=a.result_id,
            title=a.title,
            description=a.description,
            input_message_content=InputTextMessageContent(a.reply.text),
            url=a.url,
        )
        for a in articles
    ]
    await query.answer(results, cache_time=30, is_personal=False)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [InlineQueryHandler(inline)]
