"""Browser tests of the server's pages (headless Chromium, without JavaScript)."""
