"""The web side of each question type, one module per type (see docs/question-types.md).

Each module exports ``TYPE``, an instance of a `base.QTypeWeb` subclass; the registry
(`quizzes.qtype_registry`) imports every module here.
"""
