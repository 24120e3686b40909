"""The curated knowledge base: checklists, signals, topics, UI texts and matcher data."""

from knowledge.errors import KnowledgeBaseError, Problem
from knowledge.loader import KnowledgeBase, check_knowledge, default_knowledge, load_knowledge
from knowledge.schema import Severity, Stance

__all__ = [
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Problem",
    "Severity",
    "Stance",
    "check_knowledge",
    "default_knowledge",
    "load_knowledge",
]
