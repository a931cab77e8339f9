"""The default offline chat model: an example bank of requests (offline/bank, data), typed
extractors (extract.py), the planner that turns a request into a tool call or a question
(planner.py), the nearest-neighbour intents it uses (intent.py), the wording of answers
(wording.py) and the LangChain model that puts them together (model.py)."""

from offline import wording
from offline.extract import asks_to_skip_approval, is_chinese, stated_words
from offline.model import OfflineChatModel
from offline.planner import partial_reply, pending_reply, wants_file

__all__ = [
    "OfflineChatModel",
    "asks_to_skip_approval",
    "is_chinese",
    "partial_reply",
    "pending_reply",
    "stated_words",
    "wants_file",
    "wording",
]
