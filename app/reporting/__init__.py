"""Officials' statistics: live counts as of any moment, charts, exports, the PDF report."""
