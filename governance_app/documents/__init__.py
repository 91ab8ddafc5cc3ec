"""PDF documents (result announcements, minutes, filing forms, activation letters, fund
statements), their register of numbers and the public page that checks a number.

``rules`` is pure; ``render`` is the only module that imports WeasyPrint, and only when a
document is drawn, so the application starts (and ``flask doctor`` runs) without it.
"""
