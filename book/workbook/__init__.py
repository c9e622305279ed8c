"""The ``workbook`` command: serve the app, check this machine, build the book, run the labs."""
