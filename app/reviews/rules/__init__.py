"""The evaluation's rules, one module per step (anything that changes data). The pages
read through app.reviews.queries, app.reviews.result_queries, app.reviews.list_pages and
app.reviews.overview."""
