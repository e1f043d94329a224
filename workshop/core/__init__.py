"""The domain core: tools, items, draft versions, diffs, workshops.

Nothing in this package imports Flask, Flask-SocketIO or eventlet; it takes a
database session and an actor, and returns results (or raises domain errors).
"""
