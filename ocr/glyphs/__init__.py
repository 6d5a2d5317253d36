"""Known-font glyph matching for printed lines: the template bank and the line matcher."""
