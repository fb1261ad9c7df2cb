"""A URL configuration with no URL (tests/quizzes/test_api_save_fast.py)."""

urlpatterns: list = []
