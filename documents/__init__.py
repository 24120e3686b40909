"""Documents made from an assessment: the summary model, its builder and every renderer.

Reads the knowledge base and stored records; used by the dialogue (``conversations``) and
the command line. Nothing in ``storage`` imports it.
"""
