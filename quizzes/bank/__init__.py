"""Instructor pages for the question bank, one module per concept: `index` (the list),
`categories`, `editor` (with the live preview), `transfer` (import/export), `files` (embedded
files), `builder` (quizzes and their settings) and `slots` (the builder's actions); `common`
holds what they share. Every write goes through `quizzes.authoring` or `quizzes.interchange`;
every page checks that the user teaches the course (`courses.access`).
"""
