"""Rights content: topics with who they apply to, legal basis, jurisdiction and review date."""
