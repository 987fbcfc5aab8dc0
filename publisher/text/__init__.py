"""Characters and clreq typography: what every stage knows about Chinese text."""
