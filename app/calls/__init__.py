"""Grant calls: their publication, deadlines and individual extensions."""
