"""Data sets for the training view: the book's airfoil data, a synthetic set, CSV uploads.

Every data set arrives standardised the way the book prepares the airfoil data, so losses are
comparable across sets; the last column is always the target. Import from the submodules
(``app.data.registry``, ``app.data.airfoil``, ...): this package runs ``app.data.airfoil`` as a
script, so it imports nothing itself.
"""
