"""The customer-service assistant: knowledge-base retrieval, own-order answers, hand-off.

Flow of one customer message (see docs/support.md):
``conversations.post_customer_message`` -> ``assistant.reply_to`` -> an intent answered
from the customer's own orders (``intents`` + ``orders``), or knowledge-base ``retrieval``
then ``composer`` -> confidence against ``SUPPORT["ANSWER_THRESHOLD"]`` -> answer or hand
off to the staff inbox.
"""
